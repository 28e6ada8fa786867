/**
 * Calendar dates in IANA time zones, with nothing but Intl.DateTimeFormat: when does a given
 * date begin in a given zone, across DST changes (including zones where midnight is skipped or
 * repeated).
 */

const MS_PER_HOUR = 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * Hours around the date's UTC midnight at which the zone's offset is sampled. Local midnight is
 * within 14 hours of UTC midnight, so these see the offsets in force either side of any change
 * near it (zones change offset at most once in a few days).
 */
const SAMPLE_HOURS = [-48, -24, 0, 24, 48];
const MAX_CACHED_FORMATTERS = 64;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Epoch ms of the first instant of `date` (YYYY-MM-DD) in `timeZone`; TypeError if invalid. */
export function startOfLocalDateMs(date: string, timeZone: string): number {
  const midnightAsUtcMs = parseCalendarDate(date);
  const formatter = getFormatter(timeZone);
  const offsetAt = (instantMs: number) => readWallClockMs(formatter, instantMs) - instantMs;

  // Midnight local = midnightAsUtc - offset, for whichever offset is in force at that instant.
  const offsets = new Set(
    SAMPLE_HOURS.map((hours) => offsetAt(midnightAsUtcMs + hours * MS_PER_HOUR)),
  );
  const candidates = [...offsets]
    .map((offsetMs) => midnightAsUtcMs - offsetMs)
    .filter((instantMs) => readWallClockMs(formatter, instantMs) === midnightAsUtcMs);
  if (candidates.length > 0) return Math.min(...candidates); // repeated midnight: the first one

  // Midnight was skipped: the date begins at the transition, the first instant whose wall
  // clock is past midnight. It lies between the candidates computed from the two offsets.
  let beforeMs = midnightAsUtcMs - Math.max(...offsets);
  let afterMs = midnightAsUtcMs - Math.min(...offsets);
  while (afterMs - beforeMs > 1) {
    const middleMs = Math.floor((beforeMs + afterMs) / 2);
    if (readWallClockMs(formatter, middleMs) >= midnightAsUtcMs) afterMs = middleMs;
    else beforeMs = middleMs;
  }
  return afterMs;
}

/** Whether `date` is a real YYYY-MM-DD calendar date (years 0100-9999). */
export function isCalendarDate(date: string): boolean {
  try {
    parseCalendarDate(date);
    return true;
  } catch {
    return false;
  }
}

/** Whether `timeZone` names a zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    getFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Date.UTC of the date's midnight; throws TypeError unless it is a real calendar date. */
function parseCalendarDate(date: string): number {
  const match = typeof date === "string" ? DATE_PATTERN.exec(date) : null;
  const [year, month, day] = (match?.slice(1) ?? []).map(Number);
  if (year === undefined || month === undefined || day === undefined || year < 100) {
    throw new TypeError("date must be YYYY-MM-DD");
  }
  const ms = Date.UTC(year, month - 1, day);
  const roundTrip = new Date(ms);
  if (roundTrip.getUTCMonth() !== month - 1 || roundTrip.getUTCDate() !== day) {
    throw new TypeError("date is not a calendar date");
  }
  return ms;
}

/** The zone's wall-clock time at `instantMs`, expressed as if it were UTC. */
function readWallClockMs(formatter: Intl.DateTimeFormat, instantMs: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(instantMs)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = fields;
  // The formatter shows whole seconds; the instant's milliseconds carry over unchanged.
  const millisecond = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second) + millisecond;
}

function getFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  if (typeof timeZone !== "string" || timeZone.length === 0) {
    throw new TypeError("timeZone must be an IANA zone name");
  }
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new TypeError(`unknown time zone: ${timeZone}`);
  }
  if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
  formatters.set(timeZone, formatter);
  return formatter;
}

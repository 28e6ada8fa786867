/**
 * Unicode spellings of a path. An origin that decodes the path and then folds it (Unicode case
 * folding, compatibility forms, accents and invisible characters ignored, as case- and
 * accent-insensitive routers and databases do) may route `/payment%C5%BF/` (a long s for the last
 * s) to `/payments/`, where the gateway matched nothing. The gateway refuses such a request when
 * the folded spelling lies in the payments tool (decision 0013). Pure; plain ASCII costs one scan.
 */

/** A percent-encoded byte >= 0x80 (UTF-8 of a non-ASCII character) or a raw non-ASCII character. */
const NON_ASCII = /%[89a-f][0-9a-f]|[^\x00-\x7f]/i;
const ENCODED_NON_ASCII_RUN = /(?:%[89a-f][0-9a-f])+/gi;
/** Combining marks and default-ignorable characters (soft hyphen, zero-width joiners, bidi controls...). */
const IGNORED = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;
const ASCII_UPPER = /[A-Z]+/g;
const SPACE = / /g;

/**
 * The path as a folding origin could route it, in raw form (spaces as %20, ASCII escapes kept),
 * when that differs from the gateway's own reading of it (ASCII case aside); null when the path has
 * no non-ASCII character or folding changes nothing. The fold matches more than any one origin
 * does (the safe side): upper then lower case (dotless ı, ß, the Kelvin sign), then NFKD
 * (fullwidth forms, ligatures, the long s; accents split off), then combining marks and invisible
 * characters removed.
 * Throws URIError for invalid UTF-8: callers pass canonical paths only (proxy.ts isCanonicalPath).
 */
export function foldedPathSpelling(rawPath: string): string | null {
  if (!NON_ASCII.test(rawPath)) return null;
  const decoded = rawPath.replace(ENCODED_NON_ASCII_RUN, (run) => decodeURIComponent(run));
  const folded = decoded.toUpperCase().toLowerCase().normalize("NFKD").replace(IGNORED, "").replace(SPACE, "%20");
  return folded === decoded.replace(ASCII_UPPER, (letters) => letters.toLowerCase()) ? null : folded;
}

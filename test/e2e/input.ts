// How a test's person works the page: with a pointer (Playwright's click and fill), or with the
// keyboard alone. In keyboard mode a control is reached the way a person without a mouse reaches
// it: Tab (or Shift+Tab, when it comes earlier in the page than the current focus) one press at a
// time until it has focus, failing when it is not reached within a few dozen presses or when it
// shows no visible focus indication; then Enter (links, buttons, summaries) or Space (checkboxes),
// typing for text fields and arrow keys for a closed <select>. The flows run once each way, so
// the keyboard pass proves the focus order and the reachability of every control they use.
import type { Locator, Page } from "playwright-core";

export type InputMode = "pointer" | "keyboard";
export const INPUT_MODES: readonly InputMode[] = ["pointer", "keyboard"];

const MAX_PRESSES = 40;
const modes = new WeakMap<Page, InputMode>();

/** Sets how `click`, `fill`, `check` and `select` work the given page (default: pointer). */
export function useInput(page: Page, mode: InputMode): Page {
  modes.set(page, mode);
  return page;
}

export function inputOf(page: Page): InputMode {
  return modes.get(page) ?? "pointer";
}

/** A short, readable name for the focused element ("button 'Continue'", "input#email"). */
function describeActive(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "(page)";
    const text = (element.getAttribute("aria-label") ?? element.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${text ? ` '${text}'` : ""}`;
  });
}

const hasFocus = (target: Locator) => target.evaluate((element) => element === document.activeElement);

/** Tabs to `target` from the current focus (see the header), then checks the focus is visible. */
export async function tabTo(target: Locator): Promise<void> {
  const page = target.page();
  await target.waitFor({ state: "visible" });
  if (!(await hasFocus(target))) {
    const forward = await target.evaluate((element) => {
      const active = document.activeElement;
      if (!active || active === document.body) return true;
      return (active.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    });
    const key = forward ? "Tab" : "Shift+Tab";
    const trail: string[] = [];
    for (let presses = 0; ; presses++) {
      if (presses === MAX_PRESSES) {
        throw new Error(`keyboard: ${MAX_PRESSES} × ${key} never reached ${target} on ${page.url()}; focus went ${trail.join(" → ")}`);
      }
      await page.keyboard.press(key);
      if (await hasFocus(target)) break;
      trail.push(await describeActive(page));
    }
  }
  const visible = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outline || (style.boxShadow !== "none" && style.boxShadow !== "");
  });
  if (!visible) throw new Error(`keyboard: ${await describeActive(page)} has focus on ${page.url()} but shows no focus indication`);
}

/** Activates a link, button, summary or checkbox. */
export async function click(target: Locator): Promise<void> {
  if (inputOf(target.page()) === "pointer") return target.click();
  await tabTo(target);
  const kind = await target.evaluate((element) => (element instanceof HTMLInputElement ? element.type : element.tagName.toLowerCase()));
  await target.page().keyboard.press(kind === "checkbox" || kind === "radio" ? "Space" : "Enter");
}

/** Ticks a checkbox (nothing to do when it is already ticked). */
export async function check(target: Locator): Promise<void> {
  if (inputOf(target.page()) === "pointer") return target.check();
  if (!(await target.isChecked())) await click(target);
  if (!(await target.isChecked())) throw new Error(`keyboard: Space did not tick ${target}`);
}

/** Replaces a text field's content with `text`. */
export async function fill(target: Locator, text: string): Promise<void> {
  if (inputOf(target.page()) === "pointer") return target.fill(text);
  await tabTo(target);
  const keyboard = target.page().keyboard;
  if ((await target.getAttribute("type")) === "date") return typeDate(target, text);
  if (await target.inputValue()) {
    await keyboard.press("ControlOrMeta+A");
    await keyboard.press("Backspace");
  }
  await keyboard.type(text);
}

/**
 * A date field (`YYYY-MM-DD`) is typed as a person does: field by field (month, day, year in the
 * browser's locale order), each part moving on to the next when complete. Focus reached by
 * Shift+Tab lands on the last part, so the focus is first taken back out and in from before.
 */
async function typeDate(target: Locator, isoDate: string): Promise<void> {
  const page = target.page();
  for (let presses = 0; presses < 4 && (await hasFocus(target)); presses++) await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  if (!(await hasFocus(target))) throw new Error(`keyboard: Tab did not come back to ${target}`);
  const order = await page.evaluate(() =>
    new Intl.DateTimeFormat(navigator.language, { year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date(2000, 0, 2))
      .map((part) => part.type)
      .filter((type) => type === "year" || type === "month" || type === "day"),
  );
  const [year, month, day] = isoDate.split("-") as [string, string, string];
  const parts: Record<string, string> = { year, month, day };
  for (const type of order) await page.keyboard.type(parts[type] ?? "");
  if ((await target.inputValue()) !== isoDate) throw new Error(`keyboard: typing ${isoDate} into ${target} gave ${await target.inputValue()}`);
}

/** Chooses the option whose value is `value` in a <select>. */
export async function select(target: Locator, value: string): Promise<void> {
  if (inputOf(target.page()) === "pointer") {
    await target.selectOption(value);
    return;
  }
  await tabTo(target);
  const { from, to } = await target.evaluate((element, wanted) => {
    const list = element as HTMLSelectElement;
    return { from: list.selectedIndex, to: [...list.options].findIndex((option) => option.value === wanted) };
  }, value);
  if (to < 0) throw new Error(`no option ${value} in ${target}`);
  for (let step = from; step !== to; step += to > from ? 1 : -1) await target.page().keyboard.press(to > from ? "ArrowDown" : "ArrowUp");
  if ((await target.inputValue()) !== value) throw new Error(`keyboard: arrow keys did not choose ${value} in ${target}`);
}

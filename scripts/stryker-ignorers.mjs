/**
 * StrykerJS ignorer for `npm run test:mutation` (docs/decisions/0015-mutation-testing.md): the
 * message text of a thrown programming error (`throw new TypeError("...")`). Such an error is a
 * misuse or configuration failure; its contract is the error type, which the tests assert, never
 * the wording (STYLE.md: tests assert codes, not message strings). Mutants elsewhere in the
 * throwing statement (its condition, the error's type) are still made and must be killed.
 */
import { PluginKind, declareValuePlugin } from "@stryker-mutator/api/plugin";

const ERROR_TYPES = new Set(["Error", "TypeError", "RangeError"]);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "ErrorMessage", {
    shouldIgnore(path) {
      const parent = path.parentPath;
      const isMessage = parent?.isNewExpression() && parent.node.arguments.includes(path.node) && parent.node.callee.type === "Identifier" && ERROR_TYPES.has(parent.node.callee.name);
      return isMessage ? "The message of a thrown programming error is not its contract (tests assert the error type)." : undefined;
    },
  }),
];

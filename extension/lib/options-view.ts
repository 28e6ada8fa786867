/** The options page's DOM: the add form and the list of watched gateways. Document passed in. */
import type { AddResult } from "./gateway-settings";
import { siteLabel, type Gateway } from "./gateways";
import { t } from "./i18n";

export interface OptionsActions {
  add(input: string): Promise<AddResult>;
  remove(origin: string): Promise<void>;
  hasAccess(origin: string): Promise<boolean>;
}

export function createOptionsView(doc: Document, actions: OptionsActions) {
  const form = doc.getElementById("add") as HTMLFormElement;
  const input = doc.getElementById("gateway") as HTMLInputElement;
  const message = doc.getElementById("message") as HTMLElement;
  const list = doc.getElementById("gateways") as HTMLUListElement;
  const none = doc.getElementById("none") as HTMLElement;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // No await before add(): the permission prompt needs the click's user gesture.
    void actions.add(input.value).then((result) => {
      if (result.ok) {
        message.textContent = t("optionsAdded", [siteLabel(result.gateway.origin)]);
        input.value = "";
      } else {
        message.textContent = t(result.reason === "invalid" ? "optionsInvalid" : "optionsDenied");
      }
    });
  });

  return {
    async show(gateways: Gateway[]): Promise<void> {
      const access = await Promise.all(gateways.map((gateway) => actions.hasAccess(gateway.origin)));
      list.replaceChildren(
        ...gateways.map((gateway, index) => {
          const item = doc.createElement("li");
          const name = doc.createElement("span");
          name.textContent = `${gateway.origin}${gateway.prefix === "/_stepgate" ? "" : ` (${gateway.prefix})`}`;
          item.append(name);
          if (!access[index]) {
            const warning = doc.createElement("span");
            warning.className = "muted";
            warning.textContent = t("optionsNoAccess");
            item.append(warning);
          }
          const remove = doc.createElement("button");
          remove.type = "button";
          remove.className = "secondary";
          remove.textContent = t("optionsRemove");
          remove.setAttribute("aria-label", `${t("optionsRemove")} ${siteLabel(gateway.origin)}`);
          remove.addEventListener("click", () => void actions.remove(gateway.origin));
          item.append(remove);
          return item;
        }),
      );
      none.hidden = gateways.length > 0;
    },
  };
}

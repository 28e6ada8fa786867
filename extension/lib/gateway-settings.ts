/**
 * Adding and removing watched gateways. Access is asked for exactly the gateway's host, and a
 * gateway is only saved once the browser granted it; removing the last gateway on a host gives
 * the access back.
 */
import { hostPatternFor, parseGatewayInput, type Gateway } from "./gateways";
import { gatewaysItem } from "./storage";

export interface PermissionPort {
  request(origins: string[]): Promise<boolean>;
  remove(origins: string[]): Promise<boolean>;
}

export type AddResult = { ok: true; gateway: Gateway } | { ok: false; reason: "invalid" | "denied" };

/**
 * Parses the input and asks for access. Call it straight from the click handler: browsers only
 * show the permission prompt during a user gesture, so nothing may be awaited before the request.
 */
export function addGateway(input: string, permissions: PermissionPort): Promise<AddResult> {
  const gateway = parseGatewayInput(input);
  if (!gateway) return Promise.resolve({ ok: false, reason: "invalid" });
  return permissions.request([hostPatternFor(gateway.origin)]).then(async (granted) => {
    if (!granted) return { ok: false, reason: "denied" } as const;
    const gateways = await gatewaysItem.getValue();
    await gatewaysItem.setValue([...gateways.filter((existing) => existing.origin !== gateway.origin), gateway]);
    return { ok: true, gateway } as const;
  });
}

export async function removeGateway(origin: string, permissions: PermissionPort): Promise<void> {
  const gateways = await gatewaysItem.getValue();
  const remaining = gateways.filter((gateway) => gateway.origin !== origin);
  await gatewaysItem.setValue(remaining);
  const pattern = hostPatternFor(origin);
  if (!remaining.some((gateway) => hostPatternFor(gateway.origin) === pattern)) await permissions.remove([pattern]);
}

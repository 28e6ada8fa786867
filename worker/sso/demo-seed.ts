/**
 * Development-only demo data for single sign-on: company "Demo SSO Partners" (`demo-sso`) with
 * two SSO people on `sso.demo.test`. Seeded only when an SSO provider is configured for that
 * company (tests and a local IdP), so the default demo data (DESIGN.md) is unchanged. SSO people
 * have no Stepgate password.
 */
import type { CompanyRecord, UserRecord } from "../domain/records";
import { writeUser } from "../domain/directory";
import type { Ports } from "../ports";
import { oncePerStorage } from "../seed";
import type { SsoConfig } from "./config";

export const DEMO_SSO_COMPANY: CompanyRecord = {
  id: "demo-sso",
  name: "Demo SSO Partners",
  requireMfa: true,
  deadline: "2026-01-01",
  timeZone: "America/New_York",
};

export const DEMO_SSO_USERS: UserRecord[] = [
  { id: "demo-sso-ivy", email: "ivy@sso.demo.test", name: "Ivy Idp", role: "standard", companyId: DEMO_SSO_COMPANY.id, active: true, sso: true },
  {
    id: "demo-sso-ian",
    email: "ian@sso.demo.test",
    name: "Ian Idp-Admin",
    role: "company_admin",
    companyId: DEMO_SSO_COMPANY.id,
    active: true,
    sso: true,
    permissions: { companyAdmin: true, directory: true },
  },
];

const MARKER = "demo:sso-seeded:v1";
const seeding = new WeakMap<KVNamespace, Promise<void>>();

export function ensureSsoDemoSeeded(kv: KVNamespace, ports: Ports, sso: SsoConfig): Promise<void> {
  if (!sso.providers.some((provider) => provider.companyId === DEMO_SSO_COMPANY.id)) return Promise.resolve();
  return oncePerStorage(seeding, kv, () => seed(kv, ports));
}

async function seed(kv: KVNamespace, ports: Ports): Promise<void> {
  if ((await kv.get(MARKER)) === "1") return;
  await ports.directory.putCompany(DEMO_SSO_COMPANY);
  for (const user of DEMO_SSO_USERS) await writeUser(ports, user);
  await kv.put(MARKER, "1");
}

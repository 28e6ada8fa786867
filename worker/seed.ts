/**
 * Development-only demo data (DESIGN.md "Demo data"): company "Demo Builders" and four people
 * sharing one password, none enrolled in MFA. Runs once per storage (marker key in KV).
 */
import type { CompanyRecord, UserRecord } from "./domain/records";
import { writeUser } from "./domain/directory";
import { keyedHash } from "./lib/slowhash";
import type { Ports } from "./ports";

export const DEMO_PASSWORD = "stepgate-demo-password";
export const DEMO_COMPANY: CompanyRecord = {
  id: "demo-builders",
  name: "Demo Builders",
  requireMfa: true,
  deadline: "2026-01-01",
  timeZone: "America/New_York",
};

export const DEMO_USERS: UserRecord[] = [
  { id: "demo-user", email: "user@demo.test", name: "Uma User", role: "standard", companyId: DEMO_COMPANY.id, active: true, sso: false },
  {
    id: "demo-admin",
    email: "admin@demo.test",
    name: "Ada Admin",
    role: "company_admin",
    companyId: DEMO_COMPANY.id,
    active: true,
    sso: false,
    permissions: { companyAdmin: true, directory: true },
  },
  { id: "demo-payor", email: "payor@demo.test", name: "Paul Payor", role: "payor", companyId: DEMO_COMPANY.id, active: true, sso: false },
  { id: "demo-payee", email: "payee@demo.test", name: "Pia Payee", role: "payee_admin", companyId: DEMO_COMPANY.id, active: true, sso: false, phone: "+12025550143" },
];

// v2: the company directory index (CompanyDO `users`) is written with the users.
const SEED_MARKER = "demo:seeded:v2";
const seeding = new WeakMap<KVNamespace, Promise<void>>();

/**
 * Runs `seedOnce` once per storage (KV binding) in this isolate: concurrent callers share the run,
 * and a failed run is forgotten so the next request tries again.
 */
export function oncePerStorage(runs: WeakMap<KVNamespace, Promise<void>>, kv: KVNamespace, seedOnce: () => Promise<void>): Promise<void> {
  let run = runs.get(kv);
  if (!run) {
    run = seedOnce().catch((error: unknown) => {
      runs.delete(kv);
      throw error;
    });
    runs.set(kv, run);
  }
  return run;
}

/** Seeds the demo company once per storage. */
export function ensureDemoSeeded(kv: KVNamespace, ports: Ports, pepper: Uint8Array): Promise<void> {
  return oncePerStorage(seeding, kv, () => seed(kv, ports, pepper));
}

/**
 * The marker holds a fingerprint of the pepper: when local secrets are regenerated but local
 * storage is kept, the demo passwords are re-hashed instead of silently never matching again.
 */
async function seed(kv: KVNamespace, ports: Ports, pepper: Uint8Array): Promise<void> {
  const fingerprint = (await keyedHash("stepgate demo seed", pepper)).slice(0, 16);
  if ((await kv.get(SEED_MARKER)) === fingerprint) return;
  await ports.directory.putCompany(DEMO_COMPANY);
  for (const user of DEMO_USERS) {
    await writeUser(ports, user);
    await ports.account(user.id).setPassword(DEMO_PASSWORD);
  }
  await kv.put(SEED_MARKER, fingerprint);
}

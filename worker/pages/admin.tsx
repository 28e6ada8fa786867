/** The admin page: security settings, directory with reset, audit log. Plain data in, HTML out. */
import type { Role } from "../../shared/policy";
import type { AuditRow, DirectoryRow } from "../admin-flows";
import { Audit, utc } from "./admin-audit";
import { ErrorBox, Layout } from "./layout";

// A wider frame for tables: a second nonce'd style element, the shared Layout stays unchanged.
const ADMIN_CSS = `main{max-width:64rem}table{width:100%;border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600}
section{margin:2rem 0}h2{font-size:1.15rem;margin:0 0 .5rem}td form{margin:0}td button{margin:0;padding:.35rem .7rem;font-size:.9rem}
.row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-end}.row>div{flex:1 1 12rem}input[type=date],select{padding:.55rem;font-size:1rem;border:1px solid #aab2c0;border-radius:8px}
.ok{color:var(--ok);background:#eefaf2;border:1px solid #bfe3cc;padding:.6rem .8rem;border-radius:8px}`;

export const ROLE_LABEL: Record<Role, string> = {
  standard: "Standard",
  company_admin: "Company admin",
  payor: "Payments: payor",
  payee_admin: "Payments: payee admin",
};

export interface AdminPageProps {
  nonce: string;
  prefix: string;
  adminEmail: string;
  companyName: string;
  settings: { requireMfa: boolean; deadline: string | null; timeZone: string; enforcementStartsAt: number | null; enforcedNow: boolean };
  timeZones: string[];
  users: DirectoryRow[];
  counts: { active: number; enrolled: number; inactive: number };
  audit: AuditRow[];
  filter: { event?: string; subject?: string; limit?: number };
  message?: string;
  error?: string;
}


function enforcementText(s: AdminPageProps["settings"]): string {
  if (!s.requireMfa || !s.deadline || s.enforcementStartsAt === null) return "Two-factor authentication is not required by your company (payments users always need it).";
  const start = `00:00 on ${s.deadline} in ${s.timeZone} (${utc(s.enforcementStartsAt)})`;
  return s.enforcedNow ? `Enforced since ${start}.` : `Enforcement begins at ${start}. Until then people may set it up early.`;
}

function Settings(props: AdminPageProps) {
  const s = props.settings;
  return (
    <section aria-labelledby="settings-h">
      <h2 id="settings-h">Security settings</h2>
      <p class="muted">{enforcementText(s)} Saving never signs anyone out; the rule applies at each person's next sign-in, company-wide.</p>
      <form method="post" action={`${props.prefix}/admin/settings`}>
        <label class="check" for="requireMfa">
          <input type="checkbox" id="requireMfa" name="requireMfa" value="yes" checked={s.requireMfa} />
          <span>Require MFA for everyone in {props.companyName}</span>
        </label>
        <div class="row">
          <div>
            <label for="deadline">Enforcement deadline</label>
            <input type="date" id="deadline" name="deadline" value={s.deadline ?? ""} aria-describedby="deadline-help" />
            <p class="muted" id="deadline-help">Enforcement starts at midnight at the start of this date in your time zone.</p>
          </div>
          <div>
            <label for="timeZone">Your time zone</label>
            <input type="text" id="timeZone" name="timeZone" value={s.timeZone} list="zones" required autocomplete="off" />
            <datalist id="zones">{props.timeZones.map((zone) => <option value={zone} />)}</datalist>
          </div>
        </div>
        <button type="submit">Save settings</button>
      </form>
    </section>
  );
}

function Directory(props: AdminPageProps) {
  return (
    <section aria-labelledby="directory-h">
      <h2 id="directory-h">Directory</h2>
      <p id="enrollment-count">
        {props.counts.enrolled} of {props.counts.active} active people have two-factor authentication
        {props.counts.inactive ? ` (${props.counts.inactive} inactive not counted)` : ""}.
      </p>
      <table aria-labelledby="directory-h">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Two-factor</th><th scope="col">Action</th></tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr>
              <td>{user.name}{user.sso ? " (SSO)" : ""}</td>
              <td>{user.email}</td>
              <td>{ROLE_LABEL[user.role] ?? user.role}</td>
              <td>{user.active ? "Active" : "Inactive"}</td>
              <td>{user.enrolled ? `Enrolled: ${user.methods.join(", ") || "none usable"}` : "Not enrolled"}{user.disabledMethods.length ? ` (disabled: ${user.disabledMethods.join(", ")})` : ""}</td>
              <td>
                {user.email === props.adminEmail ? <span class="muted">You</span> : (
                  <form method="post" action={`${props.prefix}/admin/users/${user.userId}/${user.active ? "deactivate" : "reactivate"}`}>
                    <button type="submit" class="secondary" aria-label={`${user.active ? "Deactivate" : "Reactivate"} ${user.email}`}>{user.active ? "Deactivate" : "Reactivate"}</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Reset(props: AdminPageProps) {
  return (
    <section aria-labelledby="reset-h">
      <h2 id="reset-h">Reset MFA for a user</h2>
      <p class="muted">
        Removes every verification method and recovery code of the person and signs them out everywhere; they set up two-factor authentication again at their next sign-in.
        Only while your company enforces MFA. Not for your own account (ask another admin), payments users (payments support) or single sign-on users (their IT department).
      </p>
      <form method="post" action={`${props.prefix}/admin/reset-mfa`}>
        <label for="reset-email">Email, exactly as in the directory</label>
        <input type="text" id="reset-email" name="email" required autocomplete="off" spellcheck={false} />
        <label class="check" for="verified">
          <input type="checkbox" id="verified" name="verified" value="yes" required />
          <span>I have verified the user's request</span>
        </label>
        <button type="submit">Reset MFA</button>
      </form>
    </section>
  );
}

export function AdminPage(props: AdminPageProps) {
  return (
    <Layout title="Company administration" nonce={props.nonce}>
      <style nonce={props.nonce} dangerouslySetInnerHTML={{ __html: ADMIN_CSS }} />
      <h1>Company administration</h1>
      <p class="muted">{props.companyName} · signed in as {props.adminEmail} · <a href={`${props.prefix}/signout`}>Sign out</a></p>
      {props.message ? <p class="ok" role="status">{props.message}</p> : null}
      <ErrorBox message={props.error} />
      <Settings {...props} />
      <Directory {...props} />
      <Reset {...props} />
      <Audit {...props} />
    </Layout>
  );
}

/** Shown instead of the admin page when the session may not act (permissions, fresh MFA). */
export function AdminDeniedPage(props: { nonce: string; prefix: string; message: string; reauth: boolean }) {
  return (
    <Layout title="Company administration" nonce={props.nonce}>
      <h1>Company administration</h1>
      <p class="error" role="alert">{props.message}</p>
      {props.reauth ? (
        <form method="post" action={`${props.prefix}/admin/reverify`}>
          <p>Enter a code from your authenticator app, your phone or your recovery code, and come back here.</p>
          <a class="button" href={`${props.prefix}/settings/verify?then=admin`}>
            Verify it's you
          </a>{" "}
          <button type="submit" class="secondary">
            Sign in again instead
          </button>
          <p class="muted">
            No second factor yet? <a href={`${props.prefix}/enroll/select?next=${encodeURIComponent(`${props.prefix}/admin`)}`}>Set one up</a> first.
          </p>
        </form>
      ) : (
        <a class="button" href="/">Back</a>
      )}
    </Layout>
  );
}

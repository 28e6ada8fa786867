/** The admin page's audit-log section: filters (event, person, limit) and the newest-first table. */
import type { AdminPageProps } from "./admin";

export const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

const AUDIT_EVENTS = ["sign_in", "second_factor", "enroll_totp", "recovery_code_used", "recovery_code_issued", "sign_out", "settings_changed", "mfa_reset", "user_deactivated", "user_reactivated"];

export function Audit(props: AdminPageProps) {
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <form method="get" action={`${props.prefix}/admin`} class="row">
        <div>
          <label for="event">Event</label>
          <select id="event" name="event">
            <option value="">All events</option>
            {AUDIT_EVENTS.map((event) => <option value={event} selected={props.filter.event === event}>{event}</option>)}
          </select>
        </div>
        <div>
          <label for="subject">Person (email or id)</label>
          <input type="text" id="subject" name="subject" value={props.filter.subject ?? ""} />
        </div>
        <div>
          <label for="limit">Show</label>
          <input type="text" id="limit" name="limit" inputmode="numeric" value={String(props.filter.limit ?? 100)} />
        </div>
        <div><button type="submit">Filter</button></div>
      </form>
      <table aria-labelledby="audit-h">
        <thead>
          <tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">Person</th><th scope="col">Detail</th></tr>
        </thead>
        <tbody>
          {props.audit.map((row) => (
            <tr>
              <td>{utc(row.atMs)}</td><td>{row.event}</td><td>{row.outcome}</td>
              <td>{row.actorEmail ?? row.actorId ?? ""}</td><td>{row.subjectEmail ?? row.subjectId ?? ""}</td><td>{row.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

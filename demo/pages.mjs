// The demo origin's pages. They show only verified claims and the in-memory payments data.
import { ERROR_MESSAGES, formatCents } from "./data.mjs";
import { html, raw, renderPage } from "./layout.mjs";

// The Worker's role values (shared/claims.ts) and company ids; an unknown value is shown as sent.
const ROLE_LABELS = {
  standard: "Standard user",
  company_admin: "Company administrator",
  payor: "Payments payor",
  payee_admin: "Payee administrator",
};
const COMPANY_NAMES = { "demo-builders": "Demo Builders" };
// RFC 8176 values, as the Worker sends them (shared/claims.ts AMR_BY_METHOD).
const AMR_LABELS = { pwd: "password", otp: "authenticator app", sms: "text message", rec: "recovery code" };

// Redirect notices come from this fixed table: the query names a key, never free text.
const NOTICES = {
  "disbursement-created": "Disbursement created as a draft.",
  "disbursement-submitted": "Disbursement submitted for payment.",
  "bank-account-added": "Bank account added.",
  "bank-account-updated": "Bank account updated.",
  "bank-account-deleted": "Bank account removed.",
  "agreement-accepted": "Agreement accepted.",
};

/** Table lookup that ignores inherited keys ("constructor", "__proto__"). */
const own = (table, key) => (typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined);

/** seconds since the epoch -> "2026-11-23 09:12 UTC" */
function formatSeconds(seconds) {
  if (typeof seconds !== "number") return "never";
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

export function renderDashboard(claims) {
  const methods = (Array.isArray(claims.amr) ? claims.amr : []).map((m) => own(AMR_LABELS, m) ?? m);
  return renderPage({
    title: "Dashboard",
    claims,
    body: html`<h1>Welcome${claims.name ? html`, ${claims.name}` : ""}</h1>
<section aria-labelledby="who"><h2 id="who">Signed in</h2><dl>
  <dt>Email</dt><dd>${claims.email ?? claims.sub}</dd>
  <dt>Company</dt><dd>${own(COMPANY_NAMES, claims.company) ?? claims.company ?? "—"}</dd>
  <dt>Role</dt><dd>${own(ROLE_LABELS, claims.role) ?? claims.role ?? "—"}</dd>
  <dt>Signed in with</dt><dd>${methods.length ? methods.join(", ") : "—"}</dd>
  <dt>Signed in at</dt><dd>${formatSeconds(claims.auth_time)}</dd>
  <dt>Last verification code</dt><dd>${formatSeconds(claims.mfa_at)}</dd>
</dl></section>
<section aria-labelledby="go"><h2 id="go">Go to</h2><ul>
  <li><a href="/payments/">Payments</a> — disbursements, bank accounts and agreements</li>
  <li><a href="/whoami">What the gateway told this app (JSON)</a></li>
</ul></section>`,
  });
}

function renderNotice(query) {
  const notice = own(NOTICES, query.get("notice"));
  const error = own(ERROR_MESSAGES, query.get("error"));
  if (error) return html`<p class="notice error" role="alert">${error}</p>`;
  return notice ? html`<p class="notice" role="status">${notice}</p>` : "";
}

// `attrs` is fixed markup from this file; `value` is data and gets escaped.
const field = (name, label, { attrs = "", id = name, value = "" } = {}) =>
  html`<label for="${id}">${label}<input id="${id}" name="${name}" value="${value}" required ${raw(attrs)}></label>`;

function disbursementRow(d) {
  const action = d.status === "draft"
    ? html`<form class="inline" method="post" action="/payments/disbursements/${d.id}/submit">
        <button type="submit">Submit <span class="visually-hidden">${formatCents(d.amountCents)} to ${d.payee}</span></button></form>`
    : "";
  return html`<tr><td>${d.payee}</td><td class="num">${formatCents(d.amountCents)}</td>
    <td><span class="status">${d.status}</span></td><td>${action}</td></tr>`;
}

const ROUTING = 'inputmode="numeric" pattern="\\d{9}"';
const ACCOUNT = 'inputmode="numeric" pattern="\\d{4,17}" autocomplete="off"';

function bankAccountRow(b) {
  const target = `/payments/bank-accounts/${b.id}`;
  return html`<tr><td>${b.nickname}</td><td>${b.routingNumber}</td><td>••••${b.last4}</td><td>
    <details><summary>Edit</summary><form class="stack" method="post" action="${target}">
      <input type="hidden" name="_method" value="PUT">
      ${field("nickname", "Name", { attrs: 'maxlength="60"', id: `nickname-${b.id}`, value: b.nickname })}
      ${field("routingNumber", "Routing number", { attrs: ROUTING, id: `routing-${b.id}`, value: b.routingNumber })}
      ${field("accountNumber", "Account number", { attrs: ACCOUNT, id: `account-${b.id}` })}
      <button type="submit">Save</button></form></details>
    <form class="inline" method="post" action="${target}"><input type="hidden" name="_method" value="DELETE">
      <button type="submit" class="secondary">Remove ${b.nickname}</button></form></td></tr>`;
}

export function renderPayments(data, query, claims) {
  return renderPage({
    title: "Payments",
    claims,
    body: html`<h1>Payments</h1>${renderNotice(query)}
<section aria-labelledby="disb"><h2 id="disb">Disbursements</h2>
<table><thead><tr><th scope="col">Payee</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Action</th></tr></thead>
<tbody>${data.disbursements.map(disbursementRow)}</tbody></table>
<h3>New disbursement</h3>
<form class="stack" method="post" action="/payments/disbursements">
  ${field("amount", "Amount (USD)", { attrs: 'inputmode="decimal" placeholder="1250.00"' })}
  ${field("payee", "Payee", { attrs: 'maxlength="100"' })}
  <button type="submit">Create draft</button></form></section>
<section aria-labelledby="banks"><h2 id="banks">Bank accounts</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Routing</th><th scope="col">Account</th><th scope="col">Action</th></tr></thead>
<tbody>${data.bankAccounts.map(bankAccountRow)}</tbody></table>
<h3>Add a bank account</h3>
<form class="stack" method="post" action="/payments/bank-accounts">
  ${field("nickname", "Name", { attrs: 'maxlength="60"' })}
  ${field("routingNumber", "Routing number", { attrs: ROUTING })}
  ${field("accountNumber", "Account number", { attrs: ACCOUNT })}
  <button type="submit">Add account</button></form></section>
<section aria-labelledby="agr"><h2 id="agr">Agreements</h2><ul>
${data.agreements.map((a) => html`<li><a href="/payments/agreements/${a.id}">${a.title}</a> — <span class="status">${a.status}</span></li>`)}
</ul></section>`,
  });
}

export function renderAgreement(agreement, claims) {
  const footer = agreement.status === "accepted"
    ? html`<p>Accepted by ${agreement.acceptedBy} at ${agreement.acceptedAt}.</p>`
    : html`<form method="post" action="/payments/agreements/${agreement.id}/accept">
        <button type="submit">Accept agreement</button></form>`;
  return renderPage({
    title: agreement.title,
    claims,
    body: html`<p><a href="/payments/">← Payments</a></p><h1>${agreement.title}</h1>
<section aria-labelledby="terms"><h2 id="terms">Terms</h2><p>${agreement.terms}</p>${footer}</section>`,
  });
}

/** `claims` null: a page for a request that did not come through the gateway. */
export function renderMessage(title, text, claims = null) {
  return renderPage({ title, claims, body: html`<h1>${title}</h1><p>${text}</p>` });
}

// The demo origin's page shell and HTML helpers. Every dynamic value goes through `escapeHtml`
// (or the `html` tag, which escapes its interpolations) so claims and form input cannot inject markup.

const STYLE = `
  :root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #0b6e4f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: #f5f7fa; }
  header { background: #fff; border-bottom: 1px solid var(--line); }
  header .bar, main { max-width: 60rem; margin: 0 auto; padding: 0.75rem 1.25rem; }
  header .bar { display: flex; align-items: center; gap: 1.5rem; }
  header .brand { font-weight: 700; margin-right: auto; }
  header .user { color: var(--muted); font-size: 0.9rem; }
  nav { display: flex; gap: 1rem; }
  header a, main a { color: var(--accent); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
  h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 0; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  td.num { font-variant-numeric: tabular-nums; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
  dt { color: var(--muted); }
  form.inline { display: inline; }
  form.stack { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 0.9rem; color: var(--muted); }
  input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #9aa5b1; border-radius: 4px; }
  button { font: inherit; padding: 0.35rem 0.9rem; border-radius: 4px; border: 1px solid var(--accent);
    background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  :focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
  .notice { padding: 0.6rem 1rem; border-radius: 6px; background: #e3f9e5; border: 1px solid #57ae5b; }
  .notice.error { background: #ffe3e3; border-color: #d64545; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .status { font-size: 0.85rem; padding: 0.1rem 0.5rem; border-radius: 999px; background: #e4e7eb; }
`;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Marks a string as already-safe HTML so the `html` tag inserts it unescaped. */
export function raw(markup) {
  return { __html: String(markup) };
}

/** Tagged template: interpolations are escaped unless wrapped in `raw()`; arrays are joined. */
export function html(strings, ...values) {
  const render = (v) =>
    Array.isArray(v) ? v.map(render).join("") : v && typeof v === "object" && "__html" in v ? v.__html : escapeHtml(v);
  return raw(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ""), ""));
}

/**
 * Full page. `claims` (the verified assertion, or null) adds the navigation, who is signed in and
 * the sign-out link (a gateway page).
 */
export function renderPage({ title, claims, body }) {
  const nav = claims
    ? html`<nav aria-label="Main"><a href="/">Dashboard</a> <a href="/payments/">Payments</a></nav>
        <span class="user" data-testid="signed-in-as">${claims.email ?? claims.sub}</span>
        <a href="/_stepgate/signout">Sign out</a>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Demo Builders</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header><div class="bar"><span class="brand">Demo Builders</span>${nav}</div></header>
<main>
${body}
</main>
</body>
</html>
`.__html;
}

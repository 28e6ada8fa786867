/** The shared page frame: calm, readable, accessible, no external assets. */
import type { Child } from "hono/jsx";

const CSS = `
:root{color-scheme:light;--ink:#1d2330;--muted:#5b6474;--line:#d9dde5;--accent:#1f5fbf;--accent-ink:#fff;--bad:#a4262c;--ok:#176b3a;--bg:#f5f7fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:30rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid var(--line);border-radius:12px}
h1{font-size:1.4rem;margin:0 0 1rem}p{margin:.5rem 0 1rem}.muted{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input[type=email],input[type=password],input[type=text],input[type=tel],select{width:100%;padding:.6rem .7rem;font-size:1rem;border:1px solid #aab2c0;border-radius:8px}
input.code{font-size:1.4rem;letter-spacing:.3em;font-variant-numeric:tabular-nums}
button,.button{display:inline-block;margin-top:1.25rem;padding:.65rem 1.1rem;font-size:1rem;border:0;border-radius:8px;background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#e8ecf3;color:var(--ink)}button:disabled{opacity:.5;cursor:not-allowed}
:focus-visible{outline:3px solid #f2b632;outline-offset:2px}
.error{color:var(--bad);background:#fdf0f0;border:1px solid #f3c7c9;padding:.6rem .8rem;border-radius:8px}
.notice{background:#eef4fd;border:1px solid #c9dbf7;padding:.6rem .8rem;border-radius:8px}
.private{font-size:.85rem;color:var(--muted);border-top:1px solid var(--line);margin-top:1.5rem;padding-top:.75rem}
.methods{list-style:none;padding:0}.methods li{margin:.5rem 0}.methods a{display:block;padding:.75rem 1rem;border:1px solid var(--line);border-radius:8px;color:var(--ink);text-decoration:none}
.methods a:hover,.methods a:focus-visible{border-color:var(--accent)}.methods a[aria-current]{border:2px solid var(--accent);background:#eef4fd;font-weight:600}
.qr{display:block;width:200px;height:200px;margin:1rem auto}.qr svg{width:100%;height:100%}
.key,.recovery{font:1.05rem/1.6 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f0f2f6;padding:.6rem .8rem;border-radius:8px}.key{word-break:break-all}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
`;

/**
 * What a page is, for the browser extension's content script (`<meta name="stepgate-page">`): it
 * then need not guess from the markup. Names only; never a code or an id.
 */
export type PageMarker = "challenge" | "recovery-code-enrolled" | "recovery-code-replaced";

export function Layout(props: { title: string; nonce: string; children: Child; script?: string; marker?: PageMarker }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {props.marker ? <meta name="stepgate-page" content={props.marker} /> : null}
        <title>{`${props.title} · Stepgate`}</title>
        <style nonce={props.nonce} dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <main>{props.children}</main>
        {props.script ? <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: props.script }} /> : null}
      </body>
    </html>
  );
}

/** Shown on every page that shows or asks for a code. */
export function CodesArePrivate() {
  return (
    <p class="private">
      Keep your codes private: never share them with anyone. Stepgate staff and your company will never ask you for a code.
    </p>
  );
}

export function ErrorBox(props: { message?: string | undefined }) {
  return props.message ? (
    <p class="error" role="alert">
      {props.message}
    </p>
  ) : null;
}

// The content script recognises the gateway's challenge and recovery-code pages by structure, and
// tells the background nothing about the page beyond which one it is.
import { parseHTML } from "linkedom";
import { describe, expect, test } from "vitest";
import { detectGatewayPage } from "../../extension/lib/page-detect";

const doc = (body: string) => parseHTML(`<!doctype html><html><body>${body}</body></html>`).document as unknown as Document;
const CODE = "12345678901234567890123456789012";
const recoveryPage = (notice = "") => `<h1>Save your recovery code</h1>${notice}
  <p class="recovery" id="recovery" data-code="${CODE}">1234-5678-9012-3456-7890-1234-5678-9012</p>
  <form method="post" action="/_stepgate/recovery-code/confirm"><input type="checkbox" name="saved"></form>`;

describe("detectGatewayPage", () => {
  test("the challenge page", () => {
    const page = doc(`<h1>How do you want to verify your identity?</h1><form method="post"><input type="hidden" name="challenge" value="abc"><input name="code"></form>`);
    expect(detectGatewayPage(page)).toEqual({ type: "challenge-page" });
  });

  test("the recovery-code page after enrollment, and after a code was used or replaced", () => {
    expect(detectGatewayPage(doc(recoveryPage()))).toEqual({ type: "recovery-code-shown", cause: "enrolled" });
    expect(detectGatewayPage(doc(recoveryPage('<p class="notice">You signed in with your recovery code...</p>')))).toEqual({ type: "recovery-code-shown", cause: "replaced" });
  });

  test("the gateway's page marker names the page, whatever the markup", () => {
    const marked = (content: string, body = "<h1>Anything</h1>") =>
      parseHTML(`<!doctype html><html><head><meta name="stepgate-page" content="${content}"></head><body>${body}</body></html>`).document as unknown as Document;
    expect(detectGatewayPage(marked("challenge"))).toEqual({ type: "challenge-page" });
    expect(detectGatewayPage(marked("recovery-code-enrolled"))).toEqual({ type: "recovery-code-shown", cause: "enrolled" });
    expect(detectGatewayPage(marked("recovery-code-replaced", recoveryPage()))).toEqual({ type: "recovery-code-shown", cause: "replaced" });
    // An unknown marker (a newer gateway's page, or a prototype key) is nothing, even over a look-alike body.
    for (const unknown of ["something-new", "constructor", "__proto__", ""]) expect(detectGatewayPage(marked(unknown, recoveryPage()))).toBeNull();
  });

  test("the message never carries the code", () => {
    expect(JSON.stringify(detectGatewayPage(doc(recoveryPage())))).not.toContain("1234");
  });

  test.each([
    ["a demo page", "<h1>Payments</h1><form><input name='amount'></form>"],
    ["the 'code was already shown' page", `<h1>Save your recovery code</h1><form method="post" action="/_stepgate/recovery-code/new"></form>`],
    ["a look-alike without the gateway's form", `<p id="recovery">1234</p>`],
  ])("%s is nothing", (_name, body) => {
    expect(detectGatewayPage(doc(body))).toBeNull();
  });
});

/** The page shown after a page form's sensitive action was approved: the person sends it on. */
import { Layout } from "./layout";

export function ApprovedPage(props: { nonce: string; prefix: string; next: string; grant: string; summary: string }) {
  return (
    <Layout title="Action approved" nonce={props.nonce}>
      <h1>Verified</h1>
      <p class="notice" id="action-summary">
        <strong>Ready to send:</strong> {props.summary}
      </p>
      <p>Nothing has been sent yet. Continue to send this request once; the approval expires in a few minutes.</p>
      <form method="post" action={`${props.prefix}/actions/continue`}>
        <input type="hidden" name="grant" value={props.grant} />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}

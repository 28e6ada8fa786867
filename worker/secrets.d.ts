// Secret bindings (set with `wrangler secret put`, or .dev.vars locally). `wrangler types` only
// sees them when .dev.vars exists, so a clean checkout declares them here.
declare namespace Cloudflare {
  interface Env {
    SESSION_SIGNING_JWK: string;
    ORIGIN_SIGNING_JWK: string;
    DATA_KEY: string;
    PEPPER: string;
  }
}

// A real OpenID Connect provider for the SSO tests: panva's oidc-provider on 127.0.0.1 (port 0),
// with one confidential client (the gateway), RS256 keys, and a scripted interaction: the test
// says who logs in next and which amr/acr the login carries, and consent is granted for the
// requested scopes. Two test-only knobs make it misbehave on purpose while it still issues and
// signs tokens itself: `publishOtherKeys` serves a different key set (same kid) at its jwks_uri,
// and `aliasPath` serves its own discovery document under another issuer name.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

function rsaJwk(kid) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
}

function publicOnly(jwk) {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}

export async function startIdp({ redirectUri, clientId = "stepgate", clientSecret, idTokenTtlSeconds = 600, publishOtherKeys = false, aliasPath = null }) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const signingKey = rsaJwk("idp-key-1");
  const otherKey = rsaJwk("idp-key-1"); // same kid: only the signature can tell them apart

  /** Directory of the IdP: accountId -> claims. */
  const accounts = new Map();
  const state = { nextLogin: null, accounts };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["stepgate-test-idp-cookie-key"] },
    // amr, acr and auth_time in every ID token, as Okta and Entra ID send them.
    claims: { openid: ["sub", "acr", "amr", "auth_time"], email: ["email", "email_verified"], profile: ["name"] },
    // Put the scope's claims (email) into the ID token, as Okta, Entra ID and Google do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { IdToken: idTokenTtlSeconds },
    async findAccount(_ctx, id) {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  const callback = provider.callback();

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      const login = state.nextLogin;
      if (!login) throw new Error("the test did not say who logs in at the IdP");
      const result = { login: { accountId: login.accountId, amr: login.amr, acr: login.acr } };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details.missingOIDCScope;
    if (missing) grant.addOIDCScope(missing.join(" "));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  server.on("request", async (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    try {
      if (path.startsWith("/interaction/")) return await interaction(req, res);
      if (publishOtherKeys && path === "/jwks") {
        res.writeHead(200, { "content-type": "application/jwk-set+json" });
        return res.end(JSON.stringify({ keys: [publicOnly(otherKey)] }));
      }
      if (aliasPath && path === `${aliasPath}/.well-known/openid-configuration`) {
        const doc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ ...doc, issuer: `${issuer}${aliasPath}` }));
      }
      return callback(req, res);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`test IdP error: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  return {
    issuer,
    state,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

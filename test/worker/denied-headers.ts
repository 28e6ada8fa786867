/**
 * The request headers no client may send to the origin, written out from decision 0012's table
 * (not imported from worker/forwarded-headers.ts: a name dropped from the code fails the tests).
 * Each carries the value an attacker would send; families are tried with more than one member.
 */
export const DENIED_HEADERS: Record<string, string> = {
  // Path and URL rewrites: the origin routes by these instead of the path the gateway decided on.
  "x-original-url": "/payments/disbursements",
  "x-rewrite-url": "/payments/disbursements",
  "x-original-uri": "/payments/disbursements",
  "x-original-path": "/payments/disbursements",
  "x-forwarded-prefix": "/payments",
  "x-forwarded-uri": "/payments/disbursements",
  "x-forwarded-url": "https://gateway.test/payments/disbursements",
  "x-forwarded-path": "/payments/disbursements",
  "x-rewrite-path": "/payments/disbursements",
  "x-override-url": "/payments/disbursements",
  "x-envoy-original-path": "/payments/disbursements",
  "x-matched-path": "/payments/disbursements",
  "x-invoke-path": "/payments/disbursements",
  "x-now-route-matches": "1=payments",
  "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
  // Method overrides.
  "x-http-method-override": "DELETE",
  "x-http-method": "DELETE",
  "x-method-override": "DELETE",
  "x-original-method": "DELETE",
  "x-forwarded-method": "DELETE",
  // Host, port and scheme claims.
  forwarded: "for=10.0.0.1;host=evil.test;proto=http",
  "x-forwarded-host": "evil.test",
  "x-original-host": "evil.test",
  "x-host": "evil.test",
  "x-http-host-override": "evil.test",
  "x-forwarded-server": "evil.test",
  "x-forwarded-port": "8443",
  "x-forwarded-proto": "http",
  "x-forwarded-scheme": "http",
  "x-forwarded-ssl": "on",
  "x-forwarded-protocol": "ssl",
  "front-end-https": "on",
  "x-url-scheme": "http",
  "x-scheme": "http",
  "x-arr-ssl": "2048|256|C=US|CN=evil",
  // Client address claims.
  "x-forwarded-for": "10.0.0.1",
  "x-real-ip": "10.0.0.1",
  "true-client-ip": "10.0.0.1",
  "x-client-ip": "10.0.0.1",
  "client-ip": "10.0.0.1",
  "x-cluster-client-ip": "10.0.0.1",
  "fastly-client-ip": "10.0.0.1",
  "x-proxyuser-ip": "10.0.0.1",
  "x-originating-ip": "10.0.0.1",
  "x-remote-ip": "10.0.0.1",
  "x-remote-addr": "10.0.0.1",
  "x-forwarded": "for=10.0.0.1",
  "forwarded-for": "10.0.0.1",
  "proxy-client-ip": "10.0.0.1",
  "wl-proxy-client-ip": "10.0.0.1",
  "x-appengine-user-ip": "10.0.0.1",
  "x-azure-clientip": "10.0.0.1",
  "x-azure-socketip": "10.0.0.1",
  "x-original-forwarded-for": "10.0.0.1",
  "x-envoy-external-address": "10.0.0.1",
  "x-envoy-internal": "true",
  // Identities a front proxy would vouch for.
  "x-forwarded-user": "admin@demo.test",
  "x-forwarded-email": "admin@demo.test",
  "x-forwarded-groups": "admins",
  "x-forwarded-preferred-username": "admin",
  "x-forwarded-access-token": "forged",
  "x-forwarded-client-cert": "Hash=forged;Subject=\"CN=admin\"",
  "x-remote-user": "admin",
  "x-remote-email": "admin@demo.test",
  "remote-user": "admin",
  "remote-email": "admin@demo.test",
  "remote-groups": "admins",
  "remote-name": "Admin",
  "x-user": "admin",
  "x-user-id": "demo-admin",
  "x-auth-user": "admin",
  "x-webauth-user": "admin",
  "x-authenticated-user": "admin",
  "x-authenticated-userid": "admin",
  "x-credential-identifier": "admin",
  "x-consumer-username": "admin",
  "x-auth-request-user": "admin",
  "x-auth-request-email": "admin@demo.test",
  "x-client-cert": "forged",
  "x-client-verify": "SUCCESS",
  "x-client-dn": "CN=admin",
  "x-ssl-client-cert": "forged",
  "x-ssl-client-s-dn": "CN=admin",
  "x-arr-clientcert": "forged",
  "x-ms-client-principal": "eyJmb3JnZWQiOnRydWV9",
  "x-ms-client-principal-name": "admin@demo.test",
  "x-ms-token-aad-id-token": "forged",
  "x-goog-authenticated-user-email": "accounts.google.com:admin@demo.test",
  "x-goog-iap-jwt-assertion": "forged",
  "cf-access-authenticated-user-email": "admin@demo.test",
  "cf-access-jwt-assertion": "forged",
  "x-amzn-oidc-identity": "admin",
  "x-amzn-oidc-data": "forged",
  // The gateway's own headers.
  "stepgate-assertion": "forged",
  "stepgate-grant": "forged",
  "stepgate-anything": "forged",
  "x-stepgate-anything": "forged",
};

/** Method overrides: inside the payments tool these are refused (400) before anything else. */
export const METHOD_OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"];

/** Headers the gateway sets itself after dropping the client's: present, but never the forged value. */
export const GATEWAY_SET = ["stepgate-assertion", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-for"];

/**
 * Checks an origin echo: no denied header arrived, and those the gateway sets carry its own value.
 * Returns the list of leaks (empty when none), so a failure names every header at once.
 */
export function deniedHeaderLeaks(received: Record<string, string>, sent: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [name, forged] of Object.entries(sent)) {
    const value = received[name];
    if (GATEWAY_SET.includes(name) ? value === forged : value !== undefined) leaks.push(`${name}: ${value}`);
  }
  return leaks;
}

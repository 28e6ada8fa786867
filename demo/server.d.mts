// Types for demo/server.mjs, so TypeScript tests can start the demo origin.

export interface DemoOriginOptions {
  /** Port to listen on; 0 picks a free one. Default 8788. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Where the JWKS is fetched from (`${gatewayUrl}/_stepgate/jwks.json`). Default "http://127.0.0.1:8787". */
  gatewayUrl?: string;
  /** Expected `iss`. Default: gatewayUrl. */
  issuer?: string;
  /** Expected `aud`. Default: the origin's own URL. */
  audience?: string;
}

export interface DemoOriginRequest {
  method: string | undefined;
  path: string;
  /** The verified subject, or null when the request was refused. */
  sub: string | null;
}

export interface DemoOrigin {
  /** e.g. "http://127.0.0.1:8788" (no trailing slash). */
  url: string;
  /** Every request received, oldest first (at most the last 1000). */
  requests: DemoOriginRequest[];
  close(): Promise<void>;
}

export declare const ASSERTION_HEADER: "stepgate-assertion";
export declare function startDemoOrigin(options?: DemoOriginOptions): Promise<DemoOrigin>;

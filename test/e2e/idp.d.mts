export interface IdpLogin {
  accountId: string;
  amr?: string[];
  acr?: string;
}

export interface Idp {
  issuer: string;
  state: { nextLogin: IdpLogin | null; accounts: Map<string, Record<string, unknown>> };
  close(): Promise<void>;
}

export function startIdp(options: {
  redirectUri: string;
  clientId?: string;
  clientSecret: string;
  idTokenTtlSeconds?: number;
  publishOtherKeys?: boolean;
  aliasPath?: string | null;
}): Promise<Idp>;

// Types for scripts/secrets.mjs.

export interface StepgateSecrets {
  SESSION_SIGNING_JWK: string;
  ORIGIN_SIGNING_JWK: string;
  DATA_KEY: string;
  PEPPER: string;
}

export declare function generateSecrets(): StepgateSecrets;
export declare function toDevVars(secrets: Record<string, string>): string;

/** Helpers for the SMS and settings tests: extra people, the dev outbox, and SMS enrollment. */
import { env } from "cloudflare:test";
import type { Role } from "../../shared/policy";
import { accountStub, client, PASSWORD, type Client } from "./helpers";

let serial = 0;

/** A fresh active person in the demo company (own account object), with the demo password. */
export async function makeUser(role: Role, label: string = role): Promise<{ id: string; email: string }> {
  serial += 1;
  const id = `t-${label}-${serial}-${crypto.randomUUID().slice(0, 8)}`;
  const email = `${id}@demo.test`;
  const user = { id, email, name: `Test ${label}`, role, companyId: "demo-builders", active: true, sso: false };
  await env.KV.put(`user:id:${id}`, JSON.stringify(user));
  await env.KV.put(`user:email:${email}`, id);
  await accountStub(id).setPassword(PASSWORD);
  return { id, email };
}

/** A distinct valid US number per call, so per-number send limits never couple two tests. */
let nextLine = 100;
export function freshUsNumber(): string {
  nextLine += 1;
  return `+1202555${String(1000 + nextLine).slice(-4)}`;
}

export interface OutboxEntry {
  to: string;
  channel: "sms" | "email";
  text: string;
  sentAt: string;
}

export async function outbox(c: Client = client()): Promise<OutboxEntry[]> {
  const response = await c.fetch("/_stepgate/dev/outbox");
  return (await response.json()) as OutboxEntry[];
}

/** The code in the newest SMS to `to`, read from its `@host #code` line. */
export async function lastSmsCode(to: string): Promise<string> {
  const message = (await outbox()).find((m) => m.channel === "sms" && m.to === to);
  const match = message ? /#(\d{6})$/.exec(message.text) : null;
  if (!match?.[1]) throw new Error(`no SMS code sent to ${to}`);
  return match[1];
}

export async function signInAs(email: string) {
  const c = client();
  const response = await c.fetch("/_stepgate/api/session", { method: "POST", json: { email, password: PASSWORD } });
  const body = (await response.json()) as { next: string; challenge?: { id: string; methods: string[] } };
  return { client: c, body };
}

/** Signs in (at `enroll`/`done`) and enrolls `phone` by SMS; returns the client and recovery code. */
export async function enrollSms(email: string, phone: string) {
  const { client: c, body } = await signInAs(email);
  if (body.next !== "enroll" && body.next !== "done") throw new Error(`unexpected next ${body.next}`);
  const sent = await c.fetch("/_stepgate/api/enroll/sms", { method: "POST", json: { phone } });
  if (sent.status !== 200) throw new Error(`send failed ${sent.status} ${await sent.text()}`);
  const confirm = await c.fetch("/_stepgate/api/enroll/sms/confirm", { method: "POST", json: { code: await lastSmsCode(phone) } });
  const { recoveryCode } = (await confirm.json()) as { recoveryCode: string };
  await c.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });
  return { client: c, recoveryCode };
}

export const post = (c: Client, path: string, json: unknown = {}) => c.fetch(`/_stepgate/api${path}`, { method: "POST", json });
export const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

/// <reference types="node" />
/**
 * The SMS/email provider adapters against a real HTTP server on 127.0.0.1 that checks the exact
 * request: Twilio's REST API (Basic auth, form fields, path) and the signed webhook (JSON body and
 * an HMAC-SHA-256 signature the receiver can recompute).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../worker/messaging/port";
import { createSignedWebhookSender, signWebhookBody } from "../../worker/messaging/signed-webhook";
import { buildSmsCodeText } from "../../worker/messaging/sms-text";
import { createTwilioSender } from "../../worker/messaging/twilio";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let nextStatus = 201;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      response.writeHead(nextStatus, { "content-type": "application/json" });
      response.end(JSON.stringify({ sid: "SM00000000000000000000000000000000", status: "queued" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "twilio-auth-token-for-tests";
const text = buildSmsCodeText("123456", "app.example.com", 600);

describe("Twilio adapter", () => {
  it("POSTs the Messages resource with Basic auth and exactly To, Body, From", async () => {
    seen.length = 0;
    nextStatus = 201;
    const sender = createTwilioSender({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+12025550100", messagingServiceSid: null, apiBaseUrl: base }, fetch);
    await sender.send({ to: "+12025550143", text });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(["Body", "From", "To"]);
    expect(form.get("To")).toBe("+12025550143");
    expect(form.get("From")).toBe("+12025550100");
    expect(form.get("Body")).toBe(text);
    expect(form.get("Body")?.endsWith("\n\n@app.example.com #123456")).toBe(true);
  });

  it("uses MessagingServiceSid instead of From when configured", async () => {
    seen.length = 0;
    const sender = createTwilioSender({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: null, messagingServiceSid: "MG00000000000000000000000000000000", apiBaseUrl: base }, fetch);
    await sender.send({ to: "+447700900123", text });
    const form = new URLSearchParams(seen[0]?.body);
    expect([...form.keys()].sort()).toEqual(["Body", "MessagingServiceSid", "To"]);
  });

  it("throws DeliveryError on a refusal (e.g. 400 from Twilio)", async () => {
    nextStatus = 400;
    const sender = createTwilioSender({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+12025550100", messagingServiceSid: null, apiBaseUrl: base }, fetch);
    await expect(sender.send({ to: "+12025550143", text })).rejects.toBeInstanceOf(DeliveryError);
    nextStatus = 201;
  });

  it("refuses to be built without a sender identity", () => {
    expect(() => createTwilioSender({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: null, messagingServiceSid: null, apiBaseUrl: base }, fetch)).toThrow(TypeError);
  });
});

describe("signed webhook adapter", () => {
  const secret = "webhook-secret-with-at-least-32-characters!";
  const nowMs = Date.UTC(2026, 10, 23, 12, 0, 0);

  it("POSTs JSON with a signature the receiver recomputes over the raw body", async () => {
    seen.length = 0;
    nextStatus = 204;
    const sender = createSignedWebhookSender("sms", { url: `${base}/hooks/sms`, secret }, fetch, () => nowMs);
    await sender.send({ to: "+12025550143", text });
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/hooks/sms");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({ channel: "sms", to: "+12025550143", text, sentAt: "2026-11-23T12:00:00.000Z" });
    const header = String(request?.headers["stepgate-signature"]);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match?.[1]).toBe(String(nowMs / 1000));
    const expected = createHmac("sha256", secret).update(`${match?.[1]}.${request?.body}`).digest();
    expect(timingSafeEqual(Buffer.from(match?.[2] ?? "", "hex"), expected)).toBe(true);
    nextStatus = 201;
  });

  it("signs email too, with the subject", async () => {
    seen.length = 0;
    const sender = createSignedWebhookSender("email", { url: `${base}/hooks/email`, secret }, fetch, () => nowMs);
    await sender.send({ to: "user@demo.test", text: "A notice", subject: "Stepgate security notice" });
    expect(JSON.parse(seen[0]?.body ?? "")).toMatchObject({ channel: "email", to: "user@demo.test", subject: "Stepgate security notice" });
  });

  it("a different secret gives a different signature (known answer)", async () => {
    const a = await signWebhookBody(secret, 1_700_000_000, "{}");
    expect(a).toBe(`t=1700000000,v1=${createHmac("sha256", secret).update("1700000000.{}").digest("hex")}`);
    expect(await signWebhookBody(`${secret}x`, 1_700_000_000, "{}")).not.toBe(a);
  });

  it("throws DeliveryError on a non-2xx answer", async () => {
    nextStatus = 500;
    const sender = createSignedWebhookSender("sms", { url: `${base}/hooks/sms`, secret }, fetch, () => nowMs);
    await expect(sender.send({ to: "+12025550143", text })).rejects.toMatchObject({ name: "DeliveryError", status: 500 });
    nextStatus = 201;
  });
});

describe("SMS text", () => {
  it("ends with the origin-bound one-time-code line and never has a second code", () => {
    expect(buildSmsCodeText("654321", "gateway.test", 600)).toMatch(/expires in 10 minutes[\s\S]*\n\n@gateway\.test #654321$/);
    expect(() => buildSmsCodeText("12a456", "gateway.test", 600)).toThrow(TypeError);
    expect(() => buildSmsCodeText("123456", "bad host", 600)).toThrow(TypeError);
  });
});

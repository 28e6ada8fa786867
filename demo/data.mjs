// The demo payments app's in-memory state: one store per server, seeded the same way every time,
// so each test run starts from known data. Amounts are kept in integer cents.

const MAX_PAYEE_CHARS = 100;
const MAX_NICKNAME_CHARS = 60;

/** Returns a fresh, seeded store with the payments operations the demo pages and API use. */
export function createStore() {
  const counters = { d: 2, b: 1, a: 1 };
  const disbursements = [
    { id: "d1", amountCents: 1_240_000, payee: "Acme Drywall", status: "draft" },
    { id: "d2", amountCents: 315_075, payee: "Rivera Concrete", status: "submitted" },
  ];
  const bankAccounts = [
    { id: "b1", nickname: "Operating account", routingNumber: "021000021", last4: "4821" },
  ];
  const agreements = [
    {
      id: "a1",
      title: "Subcontractor payment agreement — Acme Drywall",
      terms:
        "Demo Builders pays Acme Drywall within 30 days of an approved draw request. " +
        "Retainage of 5% is held until final completion. Lien waivers accompany each payment.",
      status: "pending",
      acceptedBy: null,
      acceptedAt: null,
    },
  ];
  const nextId = (prefix) => `${prefix}${++counters[prefix]}`;

  return {
    snapshot: () => ({ disbursements, bankAccounts, agreements }),
    findAgreement: (id) => agreements.find((a) => a.id === id),

    createDisbursement(input) {
      const amountCents = parseAmountCents(input.amount);
      const payee = String(input.payee ?? "").trim();
      if (amountCents === null) return fail(400, "INVALID_AMOUNT");
      if (!payee || payee.length > MAX_PAYEE_CHARS) return fail(400, "INVALID_PAYEE");
      const disbursement = { id: nextId("d"), amountCents, payee, status: "draft" };
      disbursements.push(disbursement);
      return { ok: true, status: 201, value: disbursement };
    },

    submitDisbursement(id) {
      const disbursement = disbursements.find((d) => d.id === id);
      if (!disbursement) return fail(404, "NOT_FOUND");
      if (disbursement.status !== "draft") return fail(409, "ALREADY_SUBMITTED");
      disbursement.status = "submitted";
      return { ok: true, status: 200, value: disbursement };
    },

    addBankAccount(input) {
      const fields = parseBankAccount(input);
      if (!fields.ok) return fields;
      const account = { id: nextId("b"), ...fields.value };
      bankAccounts.push(account);
      return { ok: true, status: 201, value: account };
    },

    updateBankAccount(id, input) {
      const account = bankAccounts.find((b) => b.id === id);
      if (!account) return fail(404, "NOT_FOUND");
      const fields = parseBankAccount(input);
      if (!fields.ok) return fields;
      Object.assign(account, fields.value);
      return { ok: true, status: 200, value: account };
    },

    deleteBankAccount(id) {
      const index = bankAccounts.findIndex((b) => b.id === id);
      if (index === -1) return fail(404, "NOT_FOUND");
      const [removed] = bankAccounts.splice(index, 1);
      return { ok: true, status: 200, value: removed };
    },

    acceptAgreement(id, acceptedBy, nowMs) {
      const agreement = agreements.find((a) => a.id === id);
      if (!agreement) return fail(404, "NOT_FOUND");
      if (agreement.status === "accepted") return fail(409, "ALREADY_ACCEPTED");
      Object.assign(agreement, {
        status: "accepted",
        acceptedBy,
        acceptedAt: new Date(nowMs).toISOString(),
      });
      return { ok: true, status: 200, value: agreement };
    },
  };
}

/** Every refusal the store returns, by code; pages show these after a form redirect. */
export const ERROR_MESSAGES = {
  INVALID_AMOUNT: "Enter an amount such as 1250.00.",
  INVALID_PAYEE: "Enter a payee name.",
  INVALID_NICKNAME: "Enter a name for the bank account.",
  INVALID_ROUTING_NUMBER: "Enter a 9-digit routing number.",
  INVALID_ACCOUNT_NUMBER: "Enter a 4–17 digit account number.",
  NOT_FOUND: "That item no longer exists.",
  ALREADY_SUBMITTED: "That disbursement was already submitted.",
  ALREADY_ACCEPTED: "That agreement was already accepted.",
};

function fail(status, code) {
  return { ok: false, status, error: { code, message: ERROR_MESSAGES[code] } };
}

/** "12,400.00", "$12400", 12400 -> 1240000; anything else (or <= 0, > $10M) -> null. */
export function parseAmountCents(raw) {
  const text = String(raw ?? "").replace(/[$,\s]/g, "");
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(text)) return null;
  const [whole, fraction = ""] = text.split(".");
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return cents > 0 && cents <= 1_000_000_000 ? cents : null;
}

// Only the last four digits of an account number are kept: the demo never needs the rest.
function parseBankAccount(input) {
  const nickname = String(input.nickname ?? "").trim();
  const routingNumber = String(input.routingNumber ?? "").replace(/\s/g, "");
  const accountNumber = String(input.accountNumber ?? "").replace(/\s/g, "");
  if (!nickname || nickname.length > MAX_NICKNAME_CHARS) {
    return fail(400, "INVALID_NICKNAME");
  }
  if (!/^\d{9}$/.test(routingNumber)) return fail(400, "INVALID_ROUTING_NUMBER");
  if (!/^\d{4,17}$/.test(accountNumber)) return fail(400, "INVALID_ACCOUNT_NUMBER");
  return { ok: true, value: { nickname, routingNumber, last4: accountNumber.slice(-4) } };
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** 1240000 -> "$12,400.00" */
export function formatCents(amountCents) {
  return usd.format(amountCents / 100);
}

import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../lib/engine/executors/http-target";
import { isDomainError } from "../../lib/errors";
import { webhookEventOf } from "../../lib/webhooks/events";
import { DEFAULT_RETRY, givesUp, nominalDelayMs, retryDelayMs } from "../../lib/webhooks/retry";
import { deliveryBody } from "../../lib/webhooks/sender";
import { signatureHeader } from "../../lib/webhooks/signature";
import { parseWebhookUrl } from "../../lib/webhooks/target";
import { verifyWebhook } from "../../sdk/src/webhooks";

describe("retry schedule", () => {
  it("waits 1 s, 2 s, 4 s … doubling, never more than 1 h between attempts", () => {
    expect([1, 2, 3, 4, 12, 13, 40].map((n) => nominalDelayMs(DEFAULT_RETRY, n) / 1000)).toEqual([
      1, 2, 4, 8, 2048, 3600, 3600,
    ]);
  });

  it("jitters ±20 % and stays within the cap", () => {
    expect(retryDelayMs(DEFAULT_RETRY, 1, () => 0)).toBe(800);
    expect(retryDelayMs(DEFAULT_RETRY, 1, () => 0.999999)).toBe(1200);
    expect(retryDelayMs(DEFAULT_RETRY, 30, () => 0.999999)).toBe(3_600_000);
    expect(retryDelayMs(DEFAULT_RETRY, 30, () => 0)).toBe(2_880_000);
  });

  it("gives up once the schedule has spanned 24 h: the 35th failure at the default timing", () => {
    expect(givesUp(DEFAULT_RETRY, 34)).toBe(false);
    expect(givesUp(DEFAULT_RETRY, 35)).toBe(true);
    // The last attempt happens within the 24 h, the next one would not.
    let span = 0;
    for (let n = 1; n < 35; n++) span += nominalDelayMs(DEFAULT_RETRY, n);
    expect(span).toBeLessThanOrEqual(24 * 3600_000);
    expect(span + nominalDelayMs(DEFAULT_RETRY, 35)).toBeGreaterThan(24 * 3600_000);
  });
});

describe("webhook events of run-log events", () => {
  const node = { id: "n1", key: "review", label: null, status: "WAITING", output: { big: true }, gate: { title: "T" } };
  it("maps gates, completions by status and pauses; nothing else", () => {
    expect(webhookEventOf({ type: "GATE_WAITING", payload: { node, gate: { title: "T" } } })).toEqual({
      event: "GATE_WAITING",
      node: { id: "n1", key: "review", label: null, status: "WAITING" },
      gate: { title: "T" },
    });
    expect(webhookEventOf({ type: "GATE_DECIDED", payload: { node } })?.event).toBe("GATE_DECIDED");
    for (const [status, event] of [
      ["SUCCEEDED", "RUN_SUCCEEDED"],
      ["FAILED", "RUN_FAILED"],
      ["CANCELLED", "RUN_CANCELLED"],
    ])
      expect(webhookEventOf({ type: "RUN_COMPLETED", payload: { status } })?.event).toBe(event);
    expect(webhookEventOf({ type: "RUN_STATUS", payload: { status: "PAUSED", reason: "BUDGET" } })?.event).toBe(
      "RUN_PAUSED",
    );
    // The RUN_STATUS that accompanies RUN_COMPLETED is not a second event; nor are these.
    for (const status of ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"])
      expect(webhookEventOf({ type: "RUN_STATUS", payload: { status } })).toBeNull();
    for (const type of ["NODE_STATE", "LOG", "COST_UPDATE", "RESULTS", "ERROR", "EDGE_ACTIVE", "DAG_MUTATED"] as const)
      expect(webhookEventOf({ type, payload: {} })).toBeNull();
  });
});

describe("webhook URLs", () => {
  const policy = compilePolicy(["hooks.internal", "10.0.0.0/8"]);
  const refusal = (url: string) => {
    try {
      parseWebhookUrl(url, policy);
      return null;
    } catch (err) {
      expect(isDomainError(err, "BAD_INPUT")).toBe(true);
      expect((err as { details: { field?: string } }).details.field).toBe("url");
      return (err as Error).message;
    }
  };
  it("takes https anywhere and http only to hosts the allowlist names", () => {
    expect(refusal("https://example.com/hook?x=1")).toBeNull();
    expect(refusal("http://hooks.internal:8080/x")).toBeNull();
    expect(refusal("http://10.2.3.4/x")).toBeNull();
    expect(refusal("http://example.com/hook")).toMatch(/use https:\/\//);
    expect(refusal("https://a:b@example.com/")).toMatch(/no credentials/);
    expect(refusal("javascript:alert(1)")).toMatch(/must start with https/);
    expect(refusal(`https://example.com/${"x".repeat(2100)}`)).toMatch(/over 2048 characters/);
  });
});

describe("signatures", () => {
  const secret = "whsec_test";
  const body = JSON.stringify(
    deliveryBody(
      { id: "d1", type: "RUN_FAILED", at: "x", namespace: "n", run: { id: "r1", pipeline: "p", status: "FAILED" } },
      "https://sbx.example",
    ),
  );
  it("the SDK verifies what the server signs, within the tolerance only", () => {
    const t = 1_800_000_000;
    const signature = signatureHeader(secret, body, t);
    expect(signature).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook({ secret, body, signature, now: t + 299 })).toBe(true);
    expect(verifyWebhook({ secret, body: Buffer.from(body), signature, now: t })).toBe(true);
    expect(verifyWebhook({ secret, body, signature, now: t + 301 })).toBe(false);
    expect(verifyWebhook({ secret, body, signature, now: t - 301 })).toBe(false);
    expect(verifyWebhook({ secret, body: `${body} `, signature, now: t })).toBe(false);
    expect(verifyWebhook({ secret, body, signature: signature.replace("t=1800000000", "t=1800000001"), now: t })).toBe(
      false,
    );
    expect(verifyWebhook({ secret, body, signature: "garbage", now: t })).toBe(false);
    expect(verifyWebhook({ secret, body, signature: undefined, now: t })).toBe(false);
  });
  it("the body has the documented fields in order, with the run's console URL", () => {
    expect(JSON.parse(body)).toEqual({
      id: "d1",
      type: "RUN_FAILED",
      at: "x",
      namespace: "n",
      run: { id: "r1", pipeline: "p", status: "FAILED", url: "https://sbx.example/runs/r1" },
      node: null,
      gate: null,
    });
    expect(Object.keys(JSON.parse(body))).toEqual(["id", "type", "at", "namespace", "run", "node", "gate"]);
  });
});

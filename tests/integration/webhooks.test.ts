/**
 * Signed webhooks end to end (SPEC §11): the real server (allowlisted to reach 127.0.0.1,
 * fast retries) POSTs to a real HTTP receiver in this process. The signature verifies with
 * the SDK's helper and by hand; a gate that waits sends GATE_WAITING with the run's URL;
 * RUN_SUCCEEDED / RUN_FAILED arrive once each; a receiver failing three times gets the
 * delivery on the fourth try, every try logged; redeliver sends it again; private targets
 * are refused at registration; only admins manage webhooks, only their namespace's; the
 * secret is never in the server's output. (kill -9: webhooks-crash.test.ts.)
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../sdk/src/index";
import { gql, gqlData, makeTokens, SUBMIT, serveForTests, type TestServer, type Tokens } from "./graphql-harness";
import { eventually, sleep } from "./hardening-helpers";

// debug: the secret-in-logs check reads everything the server says.
const SERVER_ENV = {
  SIGNALBOX_HTTP_ALLOWED_HOSTS: "127.0.0.1",
  SIGNALBOX_WEBHOOK_RETRY_BASE_MS: "50",
  LOG_LEVEL: "debug",
};

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the receiver had the whole request (epoch ms). */
  receivedAt: number;
  json: Record<string, Record<string, unknown> & { id: string }> & { id: string; type: string };
}

/** A receiver on 127.0.0.1: records every POST; `answer(path, nth)` picks the status (200). */
function startReceiver(port = 0) {
  const got: Received[] = [];
  let answer: (path: string, nth: number) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      got.push({ path, headers: req.headers, body, json: JSON.parse(body), receivedAt: Date.now() });
      const status = answer(path, got.filter((g) => g.path === path).length);
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "thanks" : "not now");
    });
  });
  const listening = new Promise<number>((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    got,
    listening,
    at: (path: string) => got.filter((g) => g.path === path),
    respond(fn: typeof answer) {
      answer = fn;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const CREATE = /* GraphQL */ `
  mutation ($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { id url events enabled failureStreak disabledReason } }
  }`;
const WEBHOOKS = /* GraphQL */ `
  query {
    webhooks {
      id url
      deliveries(first: 5) {
        id event status attempts deliveredAt lastError runId
        attemptLog { at statusCode durationMs error responseBody }
      }
    }
  }`;

const gateSpec = (name: string) => ({
  name,
  nodes: [
    { id: "warm", kind: "sleep", with: { ms: 20 } },
    { id: "review", kind: "gate", needs: ["warm"], with: { title: "Ship it?", description: "Check the numbers." } },
  ],
});
const failSpec = {
  name: "webhook-fails",
  nodes: [{ id: "boom", kind: "transform", with: { expression: "$error('no')" } }],
};
const okSpec = { name: "webhook-ok", nodes: [{ id: "one", kind: "transform", with: { expression: "1" } }] };

let h: TestServer;
const receiver = startReceiver();
let base: string;
const secrets: string[] = [];

serveForTests({ env: SERVER_ENV }, async (ready) => {
  h = ready;
  base = `http://127.0.0.1:${await receiver.listening}`;
});
afterAll(() => receiver.close());

async function createWebhook(token: string, path: string, events: string[]) {
  const r = await gqlData(h.server, token, CREATE, { input: { url: `${base}${path}`, events } });
  secrets.push(r.createWebhook.secret);
  return r.createWebhook as { secret: string; webhook: { id: string } };
}

const submit = async (spec: unknown) =>
  (await gqlData(h.server, h.t.operator, SUBMIT, { input: { spec } })).submitRun.id as string;

/** The hand-written check of the README: plain node:crypto, no SDK. */
function handVerify(secret: string, body: string, header: string): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=") as [string, string]));
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("webhook deliveries", () => {
  it("a waiting gate sends GATE_WAITING signed, with the run's console URL; the signature verifies", async () => {
    const { secret } = await createWebhook(h.t.admin, "/gates", ["GATE_WAITING", "RUN_SUCCEEDED"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const runId = await submit(gateSpec("webhook-gate"));
    const [got] = await eventually(
      async () => receiver.at("/gates").length > 0 && receiver.at("/gates"),
      10_000,
      "GATE_WAITING",
    );
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["signalbox-event"]).toBe("GATE_WAITING");
    expect(got.headers["signalbox-delivery"]).toBe(got.json.id);
    const signature = String(got.headers["signalbox-signature"]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook({ secret, body: got.body, signature })).toBe(true);
    expect(handVerify(secret, got.body, signature)).toBe(true);
    // Tampered, wrong secret, replayed later: refused.
    expect(verifyWebhook({ secret, body: got.body.replace("Ship", "Skip"), signature })).toBe(false);
    expect(verifyWebhook({ secret: `${secret}x`, body: got.body, signature })).toBe(false);
    expect(verifyWebhook({ secret, body: got.body, signature, now: Math.floor(Date.now() / 1000) + 301 })).toBe(false);

    expect(Object.keys(got.json)).toEqual(["id", "type", "at", "namespace", "run", "node", "gate"]);
    expect(got.json).toMatchObject({
      type: "GATE_WAITING",
      namespace: h.t.namespace,
      run: { id: runId, pipeline: "webhook-gate", status: "RUNNING", url: `${h.server.url}/runs/${runId}` },
      node: { key: "review", status: "WAITING" },
      gate: { title: "Ship it?", description: "Check the numbers.", decision: null },
    });
    expect(Date.parse(got.json.at as unknown as string)).toBeGreaterThan(Date.now() - 60_000);

    // Approving finishes the run: RUN_SUCCEEDED once (GATE_DECIDED is not subscribed).
    await gqlData(
      h.server,
      h.t.operator,
      `mutation { humanDecision(input: {runId: "${runId}", nodeKey: "review", decision: APPROVE}) { status } }`,
    );
    await eventually(async () => receiver.at("/gates").length >= 2, 10_000, "RUN_SUCCEEDED");
    await sleep(500);
    expect(receiver.at("/gates").map((g) => g.json.type)).toEqual(["GATE_WAITING", "RUN_SUCCEEDED"]);
    expect(receiver.at("/gates")[1].json.run).toMatchObject({ id: runId, status: "SUCCEEDED" });
  });

  it("RUN_FAILED and RUN_SUCCEEDED are delivered once each", async () => {
    await createWebhook(h.t.admin, "/outcomes", ["RUN_FAILED", "RUN_SUCCEEDED"]);
    const failed = await submit(failSpec);
    const ok = await submit(okSpec);
    await eventually(async () => receiver.at("/outcomes").length >= 2, 10_000, "two outcomes");
    await sleep(700);
    const seen = receiver.at("/outcomes").map((g) => `${g.json.type}:${g.json.run.id}`);
    expect(seen.sort()).toEqual([`RUN_FAILED:${failed}`, `RUN_SUCCEEDED:${ok}`].sort());
    // Woken by the doorbell, not a poll: from the event's transaction to the receiver (`at` is
    // that transaction's time) takes well under the 15 s safety-net poll. Loose for a busy CI.
    const lags = receiver.at("/outcomes").map((g) => g.receivedAt - Date.parse(g.json.at as unknown as string));
    console.log(`webhook commit-to-receiver lag (ms): ${lags.join(", ")}`);
    for (const lag of lags) expect(lag).toBeLessThan(1_000);
  });

  it("a receiver failing three times gets exactly one successful delivery, every attempt logged", async () => {
    receiver.respond((path, nth) => (path === "/flaky" && nth <= 3 ? 500 : 200));
    const { webhook } = await createWebhook(h.t.admin, "/flaky", ["RUN_SUCCEEDED"]);
    const runId = await submit(okSpec);
    const delivery = await eventually(
      async () => {
        const data = await gqlData(h.server, h.t.admin, WEBHOOKS);
        const d = data.webhooks.find((w: { id: string }) => w.id === webhook.id)?.deliveries[0];
        return d?.status === "SUCCEEDED" && d;
      },
      15_000,
      "the delivery to succeed",
    );
    await sleep(300);
    const posts = receiver.at("/flaky");
    expect(posts).toHaveLength(4);
    expect(new Set(posts.map((p) => p.json.id))).toEqual(new Set([delivery.id]));
    expect(delivery).toMatchObject({ event: "RUN_SUCCEEDED", attempts: 4, lastError: null, runId });
    expect(delivery.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(delivery.attemptLog[0]).toMatchObject({ error: "HTTP 500", responseBody: "not now" });
    expect(delivery.attemptLog[3]).toMatchObject({ error: null, responseBody: "thanks" });
    // Retries wait 50 ms, 100 ms, 200 ms (±20 %): the fourth try is ≥ 280 ms after the first.
    const times = delivery.attemptLog.map((a: { at: string }) => Date.parse(a.at));
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(270);

    // redeliver sends it once more, as the same delivery, with a fresh count.
    const again = await gqlData(
      h.server,
      h.t.admin,
      `mutation ($id: ID!) { redeliver(deliveryId: $id) { id status attempts } }`,
      {
        id: delivery.id,
      },
    );
    expect(again.redeliver).toMatchObject({ id: delivery.id, status: "PENDING", attempts: 0 });
    await eventually(async () => receiver.at("/flaky").length === 5, 10_000, "the redelivery");
    expect(receiver.at("/flaky")[4].json.id).toBe(delivery.id);
  });
});

describe("registration", () => {
  it("refuses private, loopback, link-local and plain-http targets with BAD_INPUT on url", async () => {
    const cases: [string, RegExp][] = [
      ["https://10.1.2.3/hook", /webhooks may not reach 10\.1\.2\.3:443: private address/],
      ["http://169.254.169.254/latest/meta-data/", /webhooks may not reach 169\.254\.169\.254:80: linkLocal address/],
      ["https://169.254.169.254/latest/meta-data/", /linkLocal address/],
      ["https://127.0.0.2:8443/x", /127\.0\.0\.2:8443: loopback address/],
      ["https://[::1]/x", /loopback address/],
      ["https://[fd00::1]/x", /uniqueLocal address/],
      ["http://93.184.216.34/hook", /use https:\/\//],
      ["https://user:pass@example.com/hook", /no credentials in the URL/],
      ["ftp://example.com/x", /must start with https:\/\//],
      ["not a url", /not a valid URL/],
    ];
    for (const [url, message] of cases) {
      const r = await gql(h.server, h.t.admin, CREATE, { input: { url, events: ["RUN_FAILED"] } });
      expect(r.errors?.[0]?.extensions, url).toMatchObject({ code: "BAD_INPUT", field: "url" });
      expect(r.errors?.[0]?.message, url).toMatch(message);
    }
    const none = await gql(h.server, h.t.admin, CREATE, { input: { url: `${base}/x`, events: [] } });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: "BAD_INPUT", field: "events" });
    const listed = await gqlData(h.server, h.t.admin, "{ webhooks { url } }");
    expect(listed.webhooks.some((w: { url: string }) => !w.url.startsWith(base))).toBe(false);
  });

  it("only admins manage webhooks, and only their namespace's", async () => {
    for (const token of [h.t.viewer, h.t.operator]) {
      const r = await gql(h.server, token, CREATE, { input: { url: `${base}/nope`, events: ["RUN_FAILED"] } });
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const q = await gql(h.server, token, "{ webhooks { id } }");
      expect(q.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const { webhook } = await createWebhook(h.t.admin, "/mine", ["RUN_FAILED"]);
    const other: Tokens = await makeTokens(h.db);
    expect((await gqlData(h.server, other.admin, "{ webhooks { id } }")).webhooks).toEqual([]);
    const mutations = [
      [`mutation { updateWebhook(id: "${webhook.id}", input: {enabled: false}) { id } }`],
      [`mutation { deleteWebhook(id: "${webhook.id}") { id } }`],
    ];
    for (const [m] of mutations) {
      const r = await gql(h.server, other.admin, m);
      expect(r.errors?.[0]?.extensions?.code, m).toBe("NOT_FOUND");
    }
    const data = await gqlData(h.server, h.t.admin, WEBHOOKS);
    const delivery = data.webhooks.flatMap((w: { deliveries: { id: string }[] }) => w.deliveries)[0];
    const r = await gql(h.server, other.admin, `mutation { redeliver(deliveryId: "${delivery.id}") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    // Still there for its own admin.
    const mine = await gqlData(
      h.server,
      h.t.admin,
      `mutation { updateWebhook(id: "${webhook.id}", input: {enabled: false}) { enabled } }`,
    );
    expect(mine.updateWebhook.enabled).toBe(false);
  });

  it("the signing secret is in no server output and no later answer", async () => {
    expect(secrets.length).toBeGreaterThan(3);
    // The sender did log its attempts (at debug; the server's output arrives through a pipe).
    const deadline = Date.now() + 10_000;
    while (!h.server.output().includes("webhook attempt") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(h.server.output()).toContain("webhook attempt");
    const listed = JSON.stringify(await gqlData(h.server, h.t.admin, WEBHOOKS));
    for (const s of secrets) {
      expect(h.server.output()).not.toContain(s);
      expect(listed).not.toContain(s);
    }
  });
});

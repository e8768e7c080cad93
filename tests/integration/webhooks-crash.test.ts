/**
 * At-least-once across a crash: a delivery committed (with its event) while the receiver
 * is down is tried and not delivered; the server is killed with SIGKILL; another server
 * started on the same database delivers it once the receiver is back. The outbox row is
 * durable; nothing about it lived only in the dead process.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { verifyWebhook } from "../../sdk/src/index";
import { gqlData, makeTokens, type ServerProc, SUBMIT, startServer, type Tokens, testDb } from "./graphql-harness";
import { eventually } from "./hardening-helpers";
import { killHard } from "./processes";

const ENV = { SIGNALBOX_HTTP_ALLOWED_HOSTS: "127.0.0.1", SIGNALBOX_WEBHOOK_RETRY_BASE_MS: "100" };

let db: Db;
let t: Tokens;
beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
});
afterAll(() => db?.$disconnect());

/** A free port on 127.0.0.1 that nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

it("a delivery committed before a kill -9 is delivered by the next server on the same database", async () => {
  const port = await freePort();
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  let first: ServerProc | null = await startServer({ env: ENV });
  let second: ServerProc | null = null;
  try {
    const created = await gqlData(
      first,
      t.admin,
      `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }`,
      {
        input: { url: `http://127.0.0.1:${port}/after-crash`, events: ["RUN_FAILED"] },
      },
    );
    const { secret, webhook } = created.createWebhook;
    const spec = {
      name: "crash-fails",
      nodes: [{ id: "boom", kind: "transform", with: { expression: "$error('no')" } }],
    };
    const runId = (await gqlData(first, t.operator, SUBMIT, { input: { spec } })).submitRun.id;
    // Committed with RUN_COMPLETED, tried once (connection refused), not delivered.
    const pending = await eventually(
      async () => {
        const row = await db.webhookDelivery.findFirst({ where: { webhookId: webhook.id } });
        return row && row.attempts >= 1 && row.status === "PENDING" && row;
      },
      10_000,
      "a failed first attempt",
    );
    expect(pending.lastError).toMatch(/ECONNREFUSED/);
    await killHard(first.child);
    const firstOutput = first.output();
    await first.stop(); // the process is gone: this only removes its data dir
    first = null;

    await new Promise<void>((r) => receiver.listen(port, "127.0.0.1", r));
    second = await startServer({ env: ENV });
    await eventually(async () => got.length > 0, 15_000, "the delivery after the restart");
    const [post] = got;
    expect(JSON.parse(post.body)).toMatchObject({ type: "RUN_FAILED", run: { id: runId, status: "FAILED" } });
    expect(verifyWebhook({ secret, body: post.body, signature: String(post.headers["signalbox-signature"]) })).toBe(
      true,
    );
    // Recorded just after the receiver answered.
    const row = await eventually(
      async () => {
        const r = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.id } });
        return r.status !== "PENDING" && r;
      },
      5_000,
      "the delivery to be recorded",
    );
    expect(row.status).toBe("SUCCEEDED");
    expect(row.attempts).toBeGreaterThan(pending.attempts);
    const log = await db.webhookAttempt.findMany({ where: { deliveryId: row.id }, orderBy: { at: "asc" } });
    expect(log.at(-1)?.statusCode).toBe(204);
    expect(log.slice(0, -1).every((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? ""))).toBe(true);
    expect(got).toHaveLength(1);
    for (const out of [firstOutput, second.output()]) expect(out).not.toContain(secret);
  } finally {
    await first?.stop();
    await second?.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});

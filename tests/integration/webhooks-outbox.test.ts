/**
 * The webhook outbox and sender in-process, against the real database and a real HTTP
 * receiver: deliveries are written in the run's transaction for exactly the mapped events
 * of subscribed, enabled webhooks (none on a rollback); the sender claims them without
 * overlap across senders, takes over a crashed sender's expired claim, gives up after
 * its retry window and disables a webhook after a streak of given-up deliveries, and
 * checks the target's address again before every delivery.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelRun, pauseRun } from "../../lib/engine/control";
import { decideGate } from "../../lib/engine/gates";
import { withRun } from "../../lib/engine/run-tx";
import { claimDue } from "../../lib/webhooks/claims";
import { createWebhook, updateWebhook } from "../../lib/webhooks/manage";
import { WebhookSender } from "../../lib/webhooks/sender";
import { webhookPolicy } from "../../lib/webhooks/target";
import { eventually } from "./hardening-helpers";
import { buildRig, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

let rig: TestRig;
let receiver: http.Server;
let base: string;
/** Requests the receiver got, and what it answers (200 unless told otherwise). */
const got: { event: string; body: Record<string, unknown> }[] = [];
let answer = 200;
const policy = webhookPolicy(["127.0.0.1"]);

beforeAll(async () => {
  rig = await buildRig();
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      got.push({ event: String(req.headers["signalbox-event"]), body: JSON.parse(body) });
      res.writeHead(answer).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver?.close();
  await rig?.stop();
});

const gateSpec = {
  name: "outbox-gate",
  nodes: [
    { id: "a", kind: "transform", with: { expression: "1" } },
    { id: "g", kind: "gate", needs: ["a"], with: { title: "Ship it?" } },
  ],
};

async function deliveriesOfRun(runId: string) {
  const rows = await rig.db.webhookDelivery.findMany({ orderBy: { createdAt: "asc" } });
  return rows.filter((d) => (d.payload as { run: { id: string } }).run.id === runId);
}

describe("outbox", () => {
  it("queues one delivery per subscribed enabled webhook, for mapped events only, in the event's transaction", async () => {
    const all = await createWebhook(
      rig.db,
      {
        namespace: rig.namespace,
        url: `${base}/all`,
        events: ["GATE_WAITING", "GATE_DECIDED", "RUN_SUCCEEDED", "RUN_FAILED", "RUN_PAUSED", "RUN_CANCELLED"],
        createdBy: "test",
      },
      policy,
    );
    const gatesOnly = await createWebhook(
      rig.db,
      { namespace: rig.namespace, url: `${base}/gates`, events: ["GATE_WAITING"], createdBy: "test" },
      policy,
    );
    await createWebhook(
      rig.db,
      { namespace: rig.namespace, url: `${base}/off`, events: ["GATE_WAITING"], enabled: false, createdBy: "test" },
      policy,
    );
    const run = await submit(rig, gateSpec);
    await waitForNode(rig.db, run.id, "g", "WAITING");
    await decideGate(rig.db, { runId: run.id, nodeKey: "g", decision: "APPROVE", decidedBy: "test" });
    await waitForRun(rig.db, run.id, finished);

    const rows = await deliveriesOfRun(run.id);
    const seen = rows.map(
      (d) =>
        `${d.webhookId === all.webhook.id ? "all" : d.webhookId === gatesOnly.webhook.id ? "gates" : "off"}:${d.event}`,
    );
    expect(seen.sort()).toEqual(["all:GATE_DECIDED", "all:GATE_WAITING", "all:RUN_SUCCEEDED", "gates:GATE_WAITING"]);
    const waiting = rows.find((d) => d.event === "GATE_WAITING")!.payload as Record<string, Record<string, unknown>>;
    expect(waiting.id).toBe(rows.find((d) => d.event === "GATE_WAITING")!.id);
    expect(waiting.run).toMatchObject({ id: run.id, pipeline: "outbox-gate", status: "RUNNING" });
    expect(waiting.node).toMatchObject({ key: "g", status: "WAITING" });
    expect(waiting.gate).toMatchObject({ title: "Ship it?" });
    expect(waiting.namespace).toBe(rig.namespace);

    // Pause and cancel map too; a rolled-back change leaves no delivery behind.
    const other = await submit(rig, gateSpec);
    await waitForNode(rig.db, other.id, "g", "WAITING");
    await pauseRun(rig.db, other.id);
    await withRun(rig.db, other.id, async (c) => {
      c.emit("RUN_STATUS", { status: "PAUSED", reason: "test", progress: 0 });
      await c.tx.$executeRaw`SELECT 1`;
      throw new Error("roll back");
    }).catch(() => {});
    await cancelRun(rig.db, other.id);
    const events = (await deliveriesOfRun(other.id)).filter((d) => d.webhookId === all.webhook.id).map((d) => d.event);
    expect(events).toEqual(["GATE_WAITING", "RUN_PAUSED", "RUN_CANCELLED"]);
  });
});

describe("sender", () => {
  it("two senders deliver each delivery once; a crashed sender's expired claim is taken over", async () => {
    got.length = 0;
    const ns = rig.namespace;
    await rig.db.webhook.deleteMany({ where: { namespace: ns } });
    const hook = await createWebhook(
      rig.db,
      { namespace: ns, url: `${base}/claims`, events: ["GATE_WAITING"], createdBy: "test" },
      policy,
    );
    // A claim by a sender that then died: locked for a while, never recorded.
    const run = await submit(rig, gateSpec);
    await waitForNode(rig.db, run.id, "g", "WAITING");
    const mine = (await deliveriesOfRun(run.id)).filter((d) => d.webhookId === hook.webhook.id);
    expect(mine).toHaveLength(1);
    // Everything else pending in this database is already delivered or old: take it out of the way.
    await rig.db.webhookDelivery.updateMany({
      where: { NOT: { webhookId: hook.webhook.id } },
      data: { status: "FAILED" },
    });
    const crashed = await claimDue(rig.db, { limit: 10, perWebhook: 10, busy: [], lockMs: 1_500 });
    expect(crashed.map((c) => c.id)).toEqual([mine[0].id]);

    const make = () =>
      new WebhookSender(rig.db, rig.notifier, {
        baseUrl: () => "https://console.example",
        policy: () => policy,
        pollMs: 300,
      });
    const senders = [make(), make()];
    for (const s of senders) s.start();
    try {
      // More deliveries while both senders run: each goes out once.
      for (let i = 0; i < 3; i++) {
        const r = await submit(rig, gateSpec);
        await waitForNode(rig.db, r.id, "g", "WAITING");
      }
      await eventually(
        async () => got.some((g) => g.body.id === mine[0].id) || null,
        10_000,
        "the taken-over delivery",
      );
      await eventually(async () => got.length >= 4 || null, 10_000, "4 deliveries");
      await new Promise((r) => setTimeout(r, 500));
      const ids = got.map((g) => g.body.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toContain(mine[0].id);
      expect(got.every((g) => (g.body.run as { url: string }).url.startsWith("https://console.example/runs/"))).toBe(
        true,
      );
      const attempts = await rig.db.webhookAttempt.count({ where: { delivery: { webhookId: hook.webhook.id } } });
      expect(attempts).toBe(4);
    } finally {
      for (const s of senders) await s.stop();
      await rig.db.webhook.delete({ where: { id: hook.webhook.id } });
    }
  });

  it("gives a delivery up after its retry window and disables the webhook after a streak of them", async () => {
    got.length = 0;
    answer = 503;
    const other = await buildRig({ worker: true });
    try {
      const hook = await createWebhook(
        other.db,
        { namespace: other.namespace, url: `${base}/down`, events: ["GATE_WAITING"], createdBy: "test" },
        policy,
      );
      const sender = new WebhookSender(other.db, other.notifier, {
        baseUrl: () => "http://localhost",
        policy: () => policy,
        retry: { baseMs: 10, windowMs: 50 },
        disableAfter: 2,
      });
      sender.start();
      try {
        for (let i = 0; i < 2; i++) {
          const r = await submit(other, gateSpec);
          await waitForNode(other.db, r.id, "g", "WAITING");
        }
        const w = await eventually(
          async () => {
            const row = await other.db.webhook.findUniqueOrThrow({ where: { id: hook.webhook.id } });
            return row.enabled ? null : row;
          },
          15_000,
          "the webhook to be disabled",
        );
        expect(w.failureStreak).toBe(2);
        expect(w.disabledReason).toMatch(/Disabled automatically: 2 deliveries in a row failed.*HTTP 503/);
        const rows = await other.db.webhookDelivery.findMany({ where: { webhookId: hook.webhook.id } });
        expect(rows.map((d) => d.status)).toEqual(["FAILED", "FAILED"]);
        // 10 + 20 + 40 ms > 50 ms: three attempts each, every one logged with its status code.
        expect(rows.map((d) => d.attempts)).toEqual([3, 3]);
        const log = await other.db.webhookAttempt.findMany({ where: { deliveryId: rows[0].id } });
        expect(log.map((a) => a.statusCode)).toEqual([503, 503, 503]);
        expect(log.every((a) => a.responseBody === "ok" && a.durationMs >= 0)).toBe(true);
        // Enabling it again clears the reason and the streak.
        const again = await updateWebhook(other.db, other.namespace, hook.webhook.id, { enabled: true }, policy);
        expect(again).toMatchObject({ enabled: true, disabledReason: null, failureStreak: 0 });
      } finally {
        await sender.stop();
      }
    } finally {
      answer = 200;
      await other.stop();
    }
  });

  it("checks the target again at delivery: an address no longer allowed is refused, and nothing is sent", async () => {
    got.length = 0;
    const other = await buildRig({ worker: true });
    // Registered while 127.0.0.1 was allowed; the sender's rules no longer allow it.
    const hook = await createWebhook(
      other.db,
      { namespace: other.namespace, url: `${base}/moved`, events: ["GATE_WAITING"], createdBy: "test" },
      policy,
    );
    const sender = new WebhookSender(other.db, other.notifier, {
      baseUrl: () => "http://localhost",
      policy: () => webhookPolicy([]),
      retry: { baseMs: 10_000 },
    });
    sender.start();
    try {
      const r = await submit(other, gateSpec);
      await waitForNode(other.db, r.id, "g", "WAITING");
      const attempt = await eventually(
        () => other.db.webhookAttempt.findFirst({ where: { delivery: { webhookId: hook.webhook.id } } }),
        10_000,
        "the refused attempt",
      );
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toMatch(/webhooks may not reach 127\.0\.0\.1:\d+: loopback address/);
      expect(got.filter((g) => g.body.id !== undefined && (g.body.run as { id: string }).id === r.id)).toEqual([]);
    } finally {
      await sender.stop();
      await other.stop();
    }
  });
});

import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { ensureNamespace } from "../../lib/auth/tokens";
import { createDb, type Db } from "../../lib/db/client";
import type { Run } from "../../lib/db/generated/client";
import { Worker } from "../../lib/engine/worker";
import { Notifier } from "../../lib/events/notifier";
import { EventHub } from "../../lib/events/stream";
import type { RunEventRecord } from "../../lib/events/types";
import { submitRun } from "../../lib/runs/submit-run";

export const databaseUrl = () => inject("databaseUrl");

export interface TestRig {
  db: Db;
  notifier: Notifier;
  events: EventHub;
  worker: Worker | null;
  namespace: string;
  stop(): Promise<void>;
}

/** A database client, listener, event hub and (optionally) an in-process worker. */
export async function buildRig(
  opts: { worker?: boolean; leaseMs?: number; allowCommands?: boolean; url?: string } = {},
): Promise<TestRig> {
  const url = opts.url ?? databaseUrl();
  const db = createDb(url);
  const notifier = new Notifier(url);
  await notifier.start();
  const events = new EventHub(db, notifier);
  const namespace = `ns-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(db, namespace);
  // Commands need the namespace's ADMIN switch as well as the server's (see lib/namespaces).
  if (opts.allowCommands !== false)
    await db.namespace.update({ where: { name: namespace }, data: { allowCommands: true } });
  const worker =
    opts.worker === false
      ? null
      : new Worker(db, notifier, {
          concurrency: 32,
          leaseMs: opts.leaseMs ?? 5_000,
          pollMs: 200,
          settings: { allowCommands: opts.allowCommands ?? true, httpAllowedHosts: ["127.0.0.1", "localhost"] },
        });
  worker?.start();
  return {
    db,
    notifier,
    events,
    worker,
    namespace,
    async stop() {
      await worker?.stop(1_000);
      await notifier.stop();
      await db.$disconnect();
    },
  };
}

export function submit(
  rig: TestRig,
  spec: unknown,
  extra: { budget?: number; params?: Record<string, unknown> } = {},
): Promise<Run> {
  return submitRun(rig.db, { namespace: rig.namespace, spec, ...extra }, { allowCommands: true });
}

/** Poll until the run satisfies `pred` (status etc.), or fail with its current state. */
export async function waitForRun(db: Db, runId: string, pred: (r: Run) => boolean, timeoutMs = 20_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (pred(run)) return run;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting; run is ${run.status} (${run.statusReason ?? ""}) ${run.error ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const finished = (r: Run) => r.finishedAt !== null;

export async function waitForNode(db: Db, runId: string, key: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await db.runNode.findUnique({ where: { runId_key: { runId, key } } });
    if (n?.status === status) return n;
    if (Date.now() > deadline) throw new Error(`node ${key} is ${n?.status}, wanted ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function allEvents(db: Db, runId: string): Promise<RunEventRecord[]> {
  const rows = await db.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
  return rows.map((r) => ({
    id: `${runId}:${r.seq}`,
    runId,
    seq: r.seq,
    type: r.type as RunEventRecord["type"],
    at: r.at,
    payload: r.payload as Record<string, unknown>,
  }));
}

/** Seqs are exactly 1..N, RUN_COMPLETED (if any) is last. */
export function expectGapless(events: RunEventRecord[]) {
  events.forEach((e, i) => {
    if (e.seq !== i + 1) throw new Error(`seq gap: position ${i} has seq ${e.seq}`);
  });
  const done = events.findIndex((e) => e.type === "RUN_COMPLETED");
  if (done !== -1 && done !== events.length - 1)
    throw new Error(`events after RUN_COMPLETED (at ${done} of ${events.length})`);
}

/** Every node key reached SUCCEEDED in at most one NODE_STATE event. */
export function completionsByNode(events: RunEventRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) {
    const node = e.payload.node as { key: string; status: string } | undefined;
    if ((e.type === "NODE_STATE" || e.type === "GATE_DECIDED") && node?.status === "SUCCEEDED") {
      if (e.type === "GATE_DECIDED") continue;
      m.set(node.key, (m.get(node.key) ?? 0) + 1);
    }
  }
  return m;
}

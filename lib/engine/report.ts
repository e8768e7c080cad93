import type { Db } from "../db/client";
import type { RunNode } from "../db/generated/client";
import { DomainError, isDomainError } from "../errors";
import { appendEventsNow } from "../events/append";
import type { LogLevel } from "../events/types";
import { assertPayloadSize, escapeControl } from "../limits";
import { latestValues, metricPoints, type ReportedMetric } from "../runs/metric-points";
import { advanceRun, setNode } from "./advance";
import { specOf as spec } from "./node-config";
import { appendResults, appendResultsOrThrow } from "./results";
import { type RunTx, withRun } from "./run-tx";
import { costPayload, round } from "./snapshot";

/** Identifies one leased execution of a node: reports must carry the epoch they were given. */
export interface LeaseRef {
  runId: string;
  nodeId: string;
  epoch: number;
}

/**
 * Lock the node (the run is already locked) and check the fencing token: the node must
 * still be RUNNING under this epoch. Anything else — lease expired and re-claimed, run
 * cancelled — is LEASE_LOST, so completion is recorded exactly once.
 */
export async function fence(c: RunTx, ref: LeaseRef): Promise<RunNode> {
  const rows = await c.tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM run_nodes WHERE id = ${ref.nodeId}::uuid FOR UPDATE`;
  const node = rows.length ? await c.tx.runNode.findUnique({ where: { id: ref.nodeId } }) : null;
  if (!node || node.runId !== ref.runId) throw new DomainError("LEASE_LOST", "node not found");
  if (node.status !== "RUNNING" || node.leaseEpoch !== ref.epoch || !node.leaseExpiresAt) {
    throw new DomainError("LEASE_LOST", `lease on ${node.key} (epoch ${ref.epoch}) is no longer held`);
  }
  return node;
}

/** Record success: output, declared cost charged, results table, then move the run on. */
export async function completeNode(db: Db, ref: LeaseRef, output: unknown): Promise<void> {
  assertPayloadSize(output, "node output");
  await withRun(db, ref.runId, async (c) => {
    await recordSuccess(c, ref, output);
    await advanceRun(c);
  });
}

/**
 * Several successes of one run's nodes in one transaction, and one `advanceRun`: the run
 * lock serializes a run's completions anyway, so a map's children that finish together
 * share a commit instead of queueing for it one by one. For nodes without `results`
 * (whose caps could refuse a completion after its writes). Returns each completion's
 * answer: null when recorded, or its LEASE_LOST / BAD_INPUT error (nothing written for it).
 */
export async function completeNodes(
  db: Db,
  runId: string,
  items: readonly { ref: LeaseRef; output: unknown }[],
): Promise<(DomainError | null)[]> {
  return withRun(db, runId, async (c) => {
    const answers: (DomainError | null)[] = [];
    for (const { ref, output } of items) {
      try {
        assertPayloadSize(output, "node output");
        const node = await fence(c, ref);
        if (spec(node).results) throw new Error(`node ${node.key} has results: it completes through completeNode`);
        await recordSuccess(c, ref, output, node);
        answers.push(null);
      } catch (err) {
        // Both are decided before anything is written for this node.
        if (!(isDomainError(err, "LEASE_LOST") || isDomainError(err, "BAD_INPUT"))) throw err;
        answers.push(err);
      }
    }
    if (answers.some((a) => a === null)) await advanceRun(c);
    return answers;
  });
}

async function recordSuccess(c: RunTx, ref: LeaseRef, output: unknown, fenced?: RunNode) {
  const node = fenced ?? (await fence(c, ref));
  const declared = spec(node).cost ?? 0;
  await setNode(c, node.id, {
    status: "SUCCEEDED",
    output: (output ?? null) as object,
    progress: 1,
    error: null,
    cost: round(node.cost + declared),
    finishedAt: new Date(),
    leaseExpiresAt: null,
    leaseOwner: null,
  });
  if (declared > 0) {
    c.run = await c.tx.run.update({ where: { id: c.run.id }, data: { spent: round(c.run.spent + declared) } });
    c.emit("COST_UPDATE", costPayload(c.run));
  }
  // Over the run's results caps: BAD_INPUT, nothing recorded (the worker fails the node).
  if (spec(node).results) await appendResultsOrThrow(c, node.key, output, true);
}

/**
 * Record a failed attempt. With retries left the node goes back to QUEUED after
 * `retryDelayMs · 2^(attempt-1)`; otherwise it FAILS and trigger rules decide the rest.
 */
export async function failNode(db: Db, ref: LeaseRef, error: string): Promise<void> {
  await withRun(db, ref.runId, async (c) => {
    const node = await fence(c, ref);
    await failAttempt(c, node, error);
    await advanceRun(c);
  });
}

/**
 * Record a failed attempt under the run lock. `extraAttempts` adds retries (a vanished
 * worker); `final` fails the node whatever its retries (retrying cannot help, e.g. a cap).
 */
export async function failAttempt(c: RunTx, node: RunNode, error: string, extraAttempts = 0, final = false) {
  const s = spec(node);
  const retries = final ? -1 : (s.retries ?? 0) + extraAttempts;
  const msg = error.slice(0, 4000);
  c.emit("LOG", { level: "ERROR", message: `attempt ${node.attempt} failed: ${msg}`, nodeKey: node.key });
  if (node.attempt <= retries) {
    const delay = (s.retryDelayMs ?? 1000) * 2 ** Math.max(0, node.attempt - 1);
    await setNode(c, node.id, {
      status: "QUEUED",
      error: msg,
      notBefore: new Date(Date.now() + delay),
      leaseExpiresAt: null,
      leaseOwner: null,
    });
    c.wakeWorkers();
  } else {
    await setNode(c, node.id, {
      status: "FAILED",
      error: msg,
      finishedAt: new Date(),
      leaseExpiresAt: null,
      leaseOwner: null,
    });
    c.emit("ERROR", { message: msg, nodeKey: node.key });
  }
}

/**
 * Give a lease back unfinished (a worker stopping at its deadline): the node is QUEUED
 * again at once for another worker, and the attempt does not count against its retries
 * (the next claim takes the same attempt number). The old epoch stays fenced.
 */
export async function releaseNode(db: Db, ref: LeaseRef, reason: string): Promise<void> {
  await withRun(db, ref.runId, async (c) => {
    const node = await fence(c, ref);
    c.emit("LOG", {
      level: "WARNING",
      message: `attempt ${node.attempt} released unfinished: ${reason.slice(0, 500)}`,
      nodeKey: node.key,
    });
    await setNode(c, node.id, {
      status: "QUEUED",
      attempt: Math.max(0, node.attempt - 1),
      notBefore: null,
      leaseExpiresAt: null,
      leaseOwner: null,
    });
    c.wakeWorkers();
  });
}

/** What an executor reports while it runs; flushed in batches (one transaction each). */
export interface ProgressReport {
  progress?: number;
  costDelta?: number;
  /** Every value reported, in order: the node keeps the latest of each, the log keeps them all. */
  metrics?: ReportedMetric[];
  logs?: { level: LogLevel; message: string }[];
  results?: Record<string, unknown>[];
}

/** Apply a batch of live reports under the lease. Throws LEASE_LOST when it is gone. */
export async function reportProgress(db: Db, ref: LeaseRef, r: ProgressReport): Promise<void> {
  let capped: string | null = null;
  for (const l of r.logs ?? []) assertPayloadSize(l.message, "a log line");
  for (const row of r.results ?? []) assertPayloadSize(row, "a result row");
  if (r.metrics?.length) assertPayloadSize(r.metrics, "metrics");
  if (r.logs?.length && r.progress === undefined && !r.costDelta && !r.metrics?.length && !r.results?.length) {
    // Logs only (the high-rate case): one fenced statement, no interactive transaction.
    const key = await nodeKey(db, ref.nodeId);
    const events = r.logs.map((l) => ({
      type: "LOG" as const,
      payload: { level: l.level, message: escapeControl(l.message), nodeKey: key },
    }));
    const ok = await appendEventsNow(db, ref.runId, events, { nodeId: ref.nodeId, epoch: ref.epoch });
    if (!ok) throw new DomainError("LEASE_LOST", "lease no longer held (or the run is sealed)");
    return;
  }
  await withRun(db, ref.runId, async (c) => {
    const node = await fence(c, ref);
    for (const l of r.logs ?? [])
      c.emit("LOG", { level: l.level, message: escapeControl(l.message), nodeKey: node.key });
    const data: Parameters<typeof setNode>[2] = {};
    if (r.progress !== undefined) data.progress = Math.min(1, Math.max(0, r.progress));
    if (r.metrics?.length) data.metrics = { ...(node.metrics as object), ...latestValues(r.metrics) };
    if (r.costDelta) {
      data.cost = round(node.cost + r.costDelta);
      c.run = await c.tx.run.update({ where: { id: c.run.id }, data: { spent: round(c.run.spent + r.costDelta) } });
      c.emit("COST_UPDATE", costPayload(c.run));
    }
    // The points ride in the NODE_STATE event of this change: the event log keeps the series.
    const points = r.metrics?.length ? { metricPoints: metricPoints(node, r.metrics) } : undefined;
    if (Object.keys(data).length) await setNode(c, node.id, data, points);
    if (r.results?.length) {
      capped = await appendResults(c, node.key, r.results, false);
      if (capped) {
        // The run's results table is full: the node fails (for good: rows stay over the cap).
        await failAttempt(c, node, capped, 0, true);
        await advanceRun(c);
      }
    }
  });
  if (capped) throw new DomainError("BAD_INPUT", capped);
}

/** Extend leases still held; returns the node ids whose lease was lost. */
export async function heartbeat(db: Db, refs: LeaseRef[], leaseMs: number): Promise<string[]> {
  if (refs.length === 0) return [];
  const ids = refs.map((r) => r.nodeId);
  const epochs = refs.map((r) => r.epoch);
  // A row locked right now is being changed under its run's lock (a completion — several
  // of one run's nodes in one transaction —, a cancel): waiting for it while holding other
  // rows could deadlock, so it is skipped this beat (neither extended nor lost; the change
  // settles it). Lost = no longer RUNNING under this epoch. (`extended` runs whether or
  // not the final SELECT reads it: PostgreSQL executes every data-modifying CTE once.)
  const lost = await db.$queryRaw<{ id: string }[]>`
    WITH cand AS (
      SELECT n.id, (n.lease_epoch = x.epoch AND n.status = 'RUNNING' AND n.lease_expires_at IS NOT NULL) AS held
      FROM unnest(${ids}::uuid[], ${epochs}::int[]) AS x(id, epoch)
      LEFT JOIN run_nodes n ON n.id = x.id
    ), locked AS (
      SELECT n.id FROM run_nodes n JOIN cand c ON c.id = n.id AND c.held
      FOR UPDATE OF n SKIP LOCKED
    ), extended AS (
      UPDATE run_nodes n SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      FROM locked WHERE n.id = locked.id AND n.status = 'RUNNING'
      RETURNING n.id
    )
    SELECT x.id::text AS id FROM unnest(${ids}::uuid[]) AS x(id)
    WHERE NOT EXISTS (SELECT 1 FROM cand c WHERE c.id = x.id AND c.held)`;
  return lost.map((r) => r.id);
}

const keys = new Map<string, string>();
/** Node keys never change: cache them (bounded) so the log path does not re-read the node. */
async function nodeKey(db: Db, nodeId: string): Promise<string> {
  let key = keys.get(nodeId);
  if (!key) {
    key = (await db.runNode.findUniqueOrThrow({ where: { id: nodeId }, select: { key: true } })).key;
    if (keys.size > 10_000) keys.clear();
    keys.set(nodeId, key);
  }
  return key;
}

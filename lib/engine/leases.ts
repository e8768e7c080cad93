import type { Db } from "../db/client";
import { DomainError } from "../errors";
import { metrics } from "../metrics";
import { advanceRun } from "./advance";
import { inFlightCost, startNode } from "./claim";
import { configOf, specOf } from "./node-config";
import { failAttempt } from "./report";
import { type RunTx, SKIPPED, withRun, withRunIfFree } from "./run-tx";

/** A worker that vanished is not the node's fault: allow this many extra attempts for it. */
const LOST_WORKER_ALLOWANCE = 3;

/**
 * Expired leases (the holder crashed or stalled): the attempt counts as failed and the
 * node is retried with attempt + 1 (or fails when attempts are exhausted). The epoch was
 * bumped at claim, so the old holder's late report is rejected (LEASE_LOST).
 */
export async function reapExpiredLeases(db: Db): Promise<number> {
  const expired = await db.$queryRaw<{ id: string; run_id: string }[]>`
    SELECT id, run_id FROM run_nodes
    WHERE status = 'RUNNING' AND lease_expires_at < now() LIMIT 200`;
  await reapTimedOutExternal(db);
  let reaped = 0;
  for (const e of expired) {
    await withRun(db, e.run_id, async (c) => {
      const node = await c.tx.runNode.findUnique({ where: { id: e.id } });
      // Re-check under the lock: a heartbeat or report may have won the race.
      if (node?.status !== "RUNNING" || !node.leaseExpiresAt || node.leaseExpiresAt > new Date()) return;
      await failAttempt(
        c,
        node,
        `lease expired: worker ${node.leaseOwner ?? "?"} stopped reporting`,
        LOST_WORKER_ALLOWANCE,
      );
      await advanceRun(c);
      reaped++;
      metrics.leaseExpiries.inc();
    });
  }
  return reaped;
}

/**
 * External nodes past their `timeoutMs` (set as `deadline_at` at claim) while their worker
 * still heartbeats: the attempt fails with "timed out" (retried per spec, like a built-in
 * node's timeout), and the worker's next heartbeat or report gets LEASE_LOST, which aborts
 * its job (the SDK's `job.signal`).
 */
async function reapTimedOutExternal(db: Db): Promise<void> {
  const due = await db.$queryRaw<{ id: string; run_id: string }[]>`
    SELECT id, run_id FROM run_nodes
    WHERE status = 'RUNNING' AND kind = 'external' AND deadline_at < now() LIMIT 200`;
  for (const d of due) {
    await withRun(db, d.run_id, async (c) => {
      const node = await c.tx.runNode.findUnique({ where: { id: d.id } });
      if (node?.status !== "RUNNING" || !node.deadlineAt || node.deadlineAt > new Date()) return;
      await failAttempt(c, node, `timed out after ${specOf(node).timeoutMs} ms`);
      await advanceRun(c);
    });
  }
}

/** A node an external worker claimed: do the work, then report with this epoch. */
export interface ExternalClaim {
  runId: string;
  nodeId: string;
  nodeKey: string;
  epoch: number;
  attempt: number;
  input: unknown;
  leaseMs: number;
}

/**
 * An external worker (GraphQL worker protocol) claims the oldest QUEUED `external` node
 * on `queue` in the namespace. Same lease, budget and fencing rules as in-process nodes.
 *
 * Many workers poll at once, so nobody may wait behind another's lock (SPEC §5): the
 * candidates are the oldest ready node of each run (one per run, oldest first); a run whose
 * row is locked — another worker is claiming there, or the engine is moving it — is
 * skipped (`SKIP LOCKED`, lock order run → node kept), and inside the run the node is taken
 * `FOR UPDATE SKIP LOCKED` too. So concurrent workers spread over runs instead of queueing
 * on the same row.
 */
export async function claimExternal(
  db: Db,
  opts: { namespace: string; queue: string; owner: string; leaseMs?: number; tokenId?: string },
): Promise<ExternalClaim | null> {
  for (let pass = 0; pass < 5; pass++) {
    const candidates = await db.$queryRaw<{ run_id: string }[]>`
      SELECT run_id::text FROM (
        SELECT DISTINCT ON (n.run_id) n.run_id, n.updated_at FROM run_nodes n JOIN runs r ON r.id = n.run_id
        WHERE n.status = 'QUEUED' AND n.kind = 'external' AND n.queue = ${opts.queue}
          AND r.namespace = ${opts.namespace} AND r.status = 'RUNNING'
          AND (n.not_before IS NULL OR n.not_before <= now())
        ORDER BY n.run_id, n.updated_at) oldest
      ORDER BY updated_at LIMIT 32`;
    if (candidates.length === 0) return null;
    const busy: string[] = [];
    for (const { run_id } of candidates) {
      const claimed = await withRunIfFree(db, run_id, (c) => claimInRun(c, opts));
      if (claimed === SKIPPED) busy.push(run_id);
      else if (claimed) return claimed;
    }
    // Every run with ready work was busy: rather than answer "no work" while there is
    // some, wait for the oldest one's lock (one transaction). Candidates that another
    // worker emptied meanwhile: look again with fresh ones.
    if (pass >= 2 && busy.length > 0) {
      const claimed = await withRun(db, busy[0], (c) => claimInRun(c, opts));
      if (claimed) return claimed;
    }
  }
  return null;
}

/**
 * When the next external node on `queue` that waits out a retry delay (`not_before`)
 * becomes claimable, or null: a long-polling claim must look again then, since no doorbell
 * rings when a delay passes.
 */
export async function nextExternalAt(db: Db, namespace: string, queue: string): Promise<Date | null> {
  const rows = await db.$queryRaw<{ at: Date | null }[]>`
    SELECT min(n.not_before) AS at FROM run_nodes n JOIN runs r ON r.id = n.run_id
    WHERE n.status = 'QUEUED' AND n.kind = 'external' AND n.queue = ${queue}
      AND r.namespace = ${namespace} AND r.status = 'RUNNING' AND n.not_before > now()`;
  return rows[0]?.at ?? null;
}

/** Under the run's lock: lease its oldest ready external node on the queue, if any. */
async function claimInRun(
  c: RunTx,
  opts: { queue: string; owner: string; leaseMs?: number; tokenId?: string },
): Promise<ExternalClaim | null> {
  if (c.run.status !== "RUNNING") return null;
  const rows = await c.tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM run_nodes
    WHERE run_id = ${c.run.id}::uuid AND status = 'QUEUED' AND kind = 'external' AND queue = ${opts.queue}
      AND (not_before IS NULL OR not_before <= now())
    ORDER BY updated_at, position LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (rows.length === 0) return null;
  const node = (await c.tx.runNode.findUnique({ where: { id: rows[0].id } }))!;
  const cfg = configOf(node, "external");
  const leaseMs = opts.leaseMs ?? cfg.leaseMs ?? 30_000;
  const claim = await startNode(c, node.id, opts.owner, leaseMs, await inFlightCost(c));
  if (!claim) return null;
  // Only the claiming token may report on this lease (graphql/resolvers/workers.ts); the
  // node's own timeout runs from the claim (reapTimedOutExternal).
  const timeoutMs = specOf(node).timeoutMs;
  await c.tx.runNode.update({
    where: { id: node.id },
    data: {
      leaseTokenId: opts.tokenId ?? null,
      deadlineAt: timeoutMs ? new Date(Date.now() + timeoutMs) : null,
    },
  });
  return {
    runId: c.run.id,
    nodeId: node.id,
    nodeKey: node.key,
    epoch: claim.epoch,
    attempt: claim.node.attempt,
    input: cfg.input ?? null,
    leaseMs,
  };
}

export function assertLeaseMs(ms: number) {
  if (!Number.isInteger(ms) || ms < 1000 || ms > 3_600_000)
    throw new DomainError("BAD_INPUT", "leaseMs must be 1000..3600000");
}

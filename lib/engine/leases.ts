import type { Db } from "../db/client";
import { DomainError } from "../errors";
import { metrics } from "../metrics";
import { advanceRun } from "./advance";
import { inFlightCost, startNode } from "./claim";
import { failAttempt } from "./report";
import { withRun } from "./run-tx";

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
 */
export async function claimExternal(
  db: Db,
  opts: { namespace: string; queue: string; owner: string; leaseMs?: number; tokenId?: string },
): Promise<ExternalClaim | null> {
  for (let tries = 0; tries < 5; tries++) {
    const rows = await db.$queryRaw<{ id: string; run_id: string }[]>`
      SELECT n.id, n.run_id FROM run_nodes n JOIN runs r ON r.id = n.run_id
      WHERE n.status = 'QUEUED' AND n.kind = 'external' AND n.queue = ${opts.queue}
        AND r.namespace = ${opts.namespace} AND r.status = 'RUNNING'
        AND (n.not_before IS NULL OR n.not_before <= now())
      ORDER BY n.updated_at LIMIT 1`;
    if (rows.length === 0) return null;
    const claimed = await withRun(db, rows[0].run_id, async (c) => {
      if (c.run.status !== "RUNNING") return null;
      const node = await c.tx.runNode.findUnique({ where: { id: rows[0].id } });
      if (node?.status !== "QUEUED") return null;
      const cfg = (node.config as { with: { leaseMs?: number; input?: unknown } }).with;
      const leaseMs = opts.leaseMs ?? cfg.leaseMs ?? 30_000;
      const claim = await startNode(c, node.id, opts.owner, leaseMs, await inFlightCost(c));
      if (!claim) return null;
      // Only the claiming token may report on this lease (graphql/resolvers/workers.ts).
      await c.tx.runNode.update({ where: { id: node.id }, data: { leaseTokenId: opts.tokenId ?? null } });
      return {
        runId: c.run.id,
        nodeId: node.id,
        nodeKey: node.key,
        epoch: claim.epoch,
        attempt: claim.node.attempt,
        input: cfg.input ?? null,
        leaseMs,
      };
    });
    if (claimed) return claimed;
  }
  return null;
}

export function assertLeaseMs(ms: number) {
  if (!Number.isInteger(ms) || ms < 1000 || ms > 3_600_000)
    throw new DomainError("BAD_INPUT", "leaseMs must be 1000..3600000");
}

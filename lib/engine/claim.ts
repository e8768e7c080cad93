import type { Db } from "../db/client";
import type { RunNode } from "../db/generated/client";
import type { NodeSpec } from "../spec/types";
import { setNode } from "./advance";
import { pauseForBudget } from "./control";
import { type RunTx, withRun } from "./run-tx";

/** A node claimed by a worker: run it, then report with the same `epoch` (fencing token). */
export interface Claim {
  node: RunNode;
  epoch: number;
  runId: string;
}

/** Runs with claimable nodes for in-process executors (kind ≠ external). No locks taken. */
async function runsWithWork(db: Db, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ run_id: string }[]>`
    SELECT n.run_id FROM run_nodes n JOIN runs r ON r.id = n.run_id
    WHERE n.status = 'QUEUED' AND n.kind <> 'external' AND r.status = 'RUNNING'
      AND (n.not_before IS NULL OR n.not_before <= now())
    GROUP BY n.run_id ORDER BY min(n.updated_at) LIMIT ${limit}`;
  return rows.map((r) => r.run_id);
}

/**
 * Claim up to `limit` ready nodes across runs for worker `owner`. Per run: lock the run
 * row, then pick QUEUED nodes `FOR UPDATE SKIP LOCKED`, check the budget before each
 * start, and lease them (epoch+1, attempt+1, expiry now+leaseMs).
 */
export async function claimNodes(db: Db, owner: string, limit: number, leaseMs: number): Promise<Claim[]> {
  if (limit <= 0) return [];
  const claims: Claim[] = [];
  for (const runId of await runsWithWork(db, 16)) {
    if (claims.length >= limit) break;
    const got = await withRun(db, runId, async (c) => {
      if (c.run.status !== "RUNNING") return [];
      const ids = await c.tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM run_nodes
        WHERE run_id = ${runId}::uuid AND status = 'QUEUED' AND kind <> 'external'
          AND (not_before IS NULL OR not_before <= now())
        ORDER BY position LIMIT ${limit - claims.length} FOR UPDATE SKIP LOCKED`;
      const out: Claim[] = [];
      let reserved = await inFlightCost(c);
      for (const { id } of ids) {
        const claim = await startNode(c, id, owner, leaseMs, reserved);
        if (!claim) break; // the run paused for budget
        reserved += (claim.node.config as unknown as NodeSpec).cost ?? 0;
        out.push(claim);
      }
      return out;
    });
    claims.push(...got);
  }
  return claims;
}

/**
 * Declared costs of the run's RUNNING nodes: charged when they succeed, so they are
 * reserved now — otherwise parallel nodes could each pass the check and overspend.
 */
export async function inFlightCost(c: RunTx): Promise<number> {
  const rows = await c.tx.$queryRaw<{ reserved: number | null }[]>`
    SELECT sum((config->>'cost')::float8) AS reserved FROM run_nodes
    WHERE run_id = ${c.run.id}::uuid AND status = 'RUNNING'`;
  return Number(rows[0]?.reserved ?? 0);
}

/**
 * Start one QUEUED node under the run lock: budget check (SPEC §4: before a node starts,
 * `spent + reserved + cost > budget` pauses the run), lease, RUNNING, EDGE_ACTIVE for its inputs.
 */
export async function startNode(
  c: RunTx,
  nodeId: string,
  owner: string,
  leaseMs: number,
  reserved: number,
): Promise<Claim | null> {
  const node = (await c.tx.runNode.findUnique({ where: { id: nodeId } }))!;
  const cost = (node.config as unknown as NodeSpec).cost ?? 0;
  if (c.run.budget !== null && cost > 0 && c.run.spent + reserved + cost > c.run.budget + 1e-9) {
    await pauseForBudget(c, node.key, cost);
    return null;
  }
  const now = new Date();
  const started = await setNode(c, node.id, {
    status: "RUNNING",
    attempt: { increment: 1 },
    leaseEpoch: { increment: 1 },
    leaseOwner: owner,
    leaseExpiresAt: new Date(now.getTime() + leaseMs),
    startedAt: now,
    finishedAt: null,
    notBefore: null,
    progress: 0,
  });
  const from = node.parentKey ? [node.parentKey] : node.needs;
  for (const need of from) c.emit("EDGE_ACTIVE", { from: need, to: node.key });
  return { node: started, epoch: started.leaseEpoch, runId: c.run.id };
}

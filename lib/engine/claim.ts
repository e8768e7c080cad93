import type { Db } from "../db/client";
import type { RunNode } from "../db/generated/client";
import { setNode } from "./advance";
import { pauseForBudget } from "./control";
import { specOf } from "./node-config";
import { type RunTx, withRun } from "./run-tx";

/** A node claimed by a worker: run it, then report with the same `epoch` (fencing token). */
export interface Claim {
  node: RunNode;
  epoch: number;
  runId: string;
  namespace: string;
}

/** Fair sharing of one worker's slots between namespaces (see `claimNodes`). */
export interface FairShare {
  /** Most nodes one namespace may run at once on this worker. */
  perNamespace: number;
  /** Nodes this worker is running now, by namespace. */
  running: ReadonlyMap<string, number>;
}

interface Candidate {
  id: string;
  run_id: string;
  namespace: string;
}

/**
 * Claimable nodes (kind ≠ external) in round-robin order across namespaces: every
 * namespace's oldest ready node first, then every namespace's second oldest, and so on —
 * so a namespace with thousands of queued nodes cannot push another's to the back of the
 * line. Namespaces in `full` (at their share of this worker) are left out. No locks taken.
 */
async function candidates(db: Db, limit: number, full: string[]): Promise<Candidate[]> {
  return db.$queryRaw<Candidate[]>`
    WITH ready AS (
      SELECT n.id, n.run_id, r.namespace, n.updated_at,
             row_number() OVER (PARTITION BY r.namespace ORDER BY n.updated_at, n.position) AS rank
      FROM run_nodes n JOIN runs r ON r.id = n.run_id
      WHERE n.status = 'QUEUED' AND n.kind <> 'external' AND r.status = 'RUNNING'
        AND (n.not_before IS NULL OR n.not_before <= now())
        AND NOT (r.namespace = ANY(${full}::text[])))
    SELECT id::text, run_id::text, namespace FROM ready WHERE rank <= ${limit}
    ORDER BY rank, updated_at LIMIT ${limit * 4}`;
}

/**
 * Claim up to `limit` ready nodes for worker `owner`, round-robin across namespaces, each
 * namespace holding at most `fair.perNamespace` of this worker's slots (so one that floods
 * the queue leaves room for the others). Per run: lock the run row, then take the picked
 * nodes still QUEUED `FOR UPDATE SKIP LOCKED` (another worker may have won them), check
 * the budget before each start, and lease them (epoch+1, attempt+1, expiry now+leaseMs).
 */
export async function claimNodes(
  db: Db,
  owner: string,
  limit: number,
  leaseMs: number,
  fair: FairShare = { perNamespace: Number.POSITIVE_INFINITY, running: new Map() },
  onError: (runId: string, err: unknown) => void = () => {},
): Promise<Claim[]> {
  if (limit <= 0) return [];
  const room = (ns: string) => fair.perNamespace - (fair.running.get(ns) ?? 0);
  const full = [...fair.running.keys()].filter((ns) => room(ns) <= 0);
  const picked = new Map<string, { ids: string[] }>();
  const taken = new Map<string, number>();
  let count = 0;
  for (const c of await candidates(db, limit, full)) {
    if (count >= limit) break;
    if (room(c.namespace) - (taken.get(c.namespace) ?? 0) <= 0) continue;
    taken.set(c.namespace, (taken.get(c.namespace) ?? 0) + 1);
    const run = picked.get(c.run_id) ?? { ids: [] };
    run.ids.push(c.id);
    picked.set(c.run_id, run);
    count++;
  }
  // One transaction per run, all of a pass's runs at once: each takes only its own run's
  // lock, and one after another they made the last node of a pass wait for every other
  // run's claim (bench/dispatch.ts). A run that fails here must not cost the claims
  // already leased in other runs. Claims come back in pick order.
  const perRun = [...picked].map(([runId, { ids }]) =>
    withRun(db, runId, async (c) => {
      if (c.run.status !== "RUNNING") return [];
      const locked = await c.tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM run_nodes
        WHERE run_id = ${runId}::uuid AND id = ANY(${ids}::uuid[]) AND status = 'QUEUED'
        ORDER BY position FOR UPDATE SKIP LOCKED`;
      const out: Claim[] = [];
      let reserved = await inFlightCost(c);
      for (const { id } of locked) {
        const claim = await startNode(c, id, owner, leaseMs, reserved);
        if (!claim) break; // the run paused for budget
        reserved += specOf(claim.node).cost ?? 0;
        out.push(claim);
      }
      return out;
    }).catch((err): Claim[] => {
      onError(runId, err);
      return [];
    }),
  );
  return (await Promise.all(perRun)).flat();
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
  const cost = specOf(node).cost ?? 0;
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
  return { node: started, epoch: started.leaseEpoch, runId: c.run.id, namespace: c.run.namespace };
}

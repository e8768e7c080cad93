import { Prisma } from "../db/client";
import { DomainError } from "../errors";
import { jsonBytes, MAX_MAP_OUTPUT_BYTES } from "../limits";
import type { TriggerRule } from "../spec/types";
import { resolvePending, runOutcome, runProgress } from "./readiness";
import type { RunTx } from "./run-tx";
import { nodeSnapshot } from "./snapshot";
import {
  isTerminalNode,
  isTerminalRun,
  NON_TERMINAL_NODE,
  type NodeStatus,
  nodeSourcesOf,
  type RunStatus,
} from "./statuses";

/**
 * The slice of a spec (top-level) node that advancing a run needs. Map children are never
 * loaded one by one here: they are counted per map in SQL (`loadGroups`), so a
 * completion costs the same few statements whether a map has 10 children or 1,000.
 */
interface NodeLite {
  id: string;
  key: string;
  kind: string;
  status: NodeStatus;
  needs: string[];
  parentKey: null;
  progress: number;
  leaseExpiresAt: Date | null;
  error: string | null;
  trigger: TriggerRule;
  concurrency: number | null;
  queueName: string | null;
}

/** A map's children, counted by status. */
interface Group {
  total: number;
  pending: number;
  active: number;
  done: number;
  /** Σ per child of 1 when terminal, else its progress (for the run's progress). */
  progressSum: number;
}

async function loadTopLevel(c: RunTx): Promise<NodeLite[]> {
  return c.tx.$queryRaw<NodeLite[]>`
    SELECT id, key, kind, status::text AS status, needs, parent_key AS "parentKey", progress,
           lease_expires_at AS "leaseExpiresAt", error,
           COALESCE(config->>'trigger', 'all_succeeded') AS trigger,
           (config->'with'->>'concurrency')::int AS concurrency,
           config->'with'->>'queue' AS "queueName"
    FROM run_nodes WHERE run_id = ${c.run.id}::uuid AND parent_key IS NULL ORDER BY position`;
}

async function loadGroups(c: RunTx): Promise<Map<string, Group>> {
  const rows = await c.tx.$queryRaw<(Group & { parentKey: string })[]>`
    SELECT parent_key AS "parentKey",
           count(*)::int AS total,
           (count(*) FILTER (WHERE status = 'PENDING'))::int AS pending,
           (count(*) FILTER (WHERE status IN ('QUEUED', 'RUNNING')))::int AS active,
           (count(*) FILTER (WHERE status IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED')))::int AS done,
           COALESCE(sum(CASE WHEN status IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED') THEN 1
                             ELSE LEAST(1, GREATEST(0, progress)) END), 0)::float8 AS "progressSum"
    FROM run_nodes WHERE run_id = ${c.run.id}::uuid AND parent_key IS NOT NULL
    GROUP BY parent_key`;
  return new Map(rows.map(({ parentKey, ...g }) => [parentKey, g]));
}

type NodeData = Parameters<RunTx["tx"]["runNode"]["update"]>[0]["data"];

/**
 * Update one node and emit its NODE_STATE snapshot. The node transition table is enforced
 * by the UPDATE itself (`WHERE status IN (allowed sources)`): a write that would move a
 * node out of a terminal status, or skip a step, changes nothing and throws
 * INVALID_TRANSITION, which rolls the whole run transaction back.
 */
export async function setNode(c: RunTx, id: string, data: NodeData, eventFields?: Record<string, unknown>) {
  const to = data.status as NodeStatus | undefined;
  const from = to ? nodeSourcesOf(to) : NON_TERMINAL_NODE;
  try {
    const n = await c.tx.runNode.update({
      where: { id, status: { in: [...from] } },
      data: { ...data, updatedAt: new Date() },
    });
    c.emit("NODE_STATE", { node: nodeSnapshot(n), ...eventFields });
    return n;
  } catch (e) {
    if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2025")) throw e;
    const now = await c.tx.runNode.findUnique({ where: { id }, select: { key: true, status: true } });
    throw new DomainError(
      "INVALID_TRANSITION",
      now
        ? `node ${now.key} is ${now.status}: it cannot ${to ? `become ${to}` : "change any more"}`
        : `node ${id} does not exist`,
    );
  }
}

/**
 * `setNode` for many nodes at once: one UPDATE (same transition check), one NODE_STATE
 * per node in position order. Ids whose node may not make the move are left alone
 * (callers select them by status first, under the run lock).
 */
export async function setNodes(c: RunTx, ids: string[], data: NodeData & { status: NodeStatus }) {
  if (ids.length === 0) return [];
  const rows = await c.tx.runNode.updateManyAndReturn({
    where: { id: { in: ids }, status: { in: nodeSourcesOf(data.status) } },
    data: { ...data, updatedAt: new Date() },
  });
  rows.sort((a, b) => a.position - b.position);
  for (const n of rows) c.emit("NODE_STATE", { node: nodeSnapshot(n) });
  return rows;
}

/**
 * Move the run forward after any node change, in the caller's transaction: decide PENDING
 * nodes (queue or skip, per trigger rules), release map children up to the map's
 * concurrency, finish map nodes whose children all ended, and finish the run when
 * every node is terminal. Idempotent: calling it twice changes nothing the second time.
 *
 * Cost: two reads (the spec's nodes, one count per map) and one write per node it moves;
 * decisions cascade in memory, never by re-reading.
 */
export async function advanceRun(c: RunTx): Promise<void> {
  if (isTerminalRun(c.run.status)) return;
  const nodes = await loadTopLevel(c);
  const groups = await loadGroups(c);
  for (let changed = true; changed; ) {
    changed = (await settleMaps(c, nodes, groups)) || (await resolveNodes(c, nodes));
  }
  let count = nodes.length;
  let sum = runProgress(nodes) * nodes.length;
  let allDone = nodes.every((n) => isTerminalNode(n.status));
  for (const g of groups.values()) {
    count += g.total;
    sum += g.progressSum;
    allDone &&= g.done === g.total;
  }
  const progress = count === 0 ? 1 : Math.round((sum / count) * 10_000) / 10_000;
  if (allDone) {
    const outcome = runOutcome(nodes);
    const failed = nodes.find((n) => n.status === "FAILED");
    await finishRun(c, outcome, failed ? `node ${failed.key} failed: ${failed.error ?? "error"}` : null);
  } else if (progress !== c.run.progress) {
    c.run = await c.tx.run.update({ where: { id: c.run.id }, data: { progress } });
  }
}

/** Queue or skip the PENDING spec nodes that can be decided now; updates `nodes` in place. */
async function resolveNodes(c: RunTx, nodes: NodeLite[]): Promise<boolean> {
  const { ready, skipped } = resolvePending(nodes);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  for (const key of ready) {
    const n = byKey.get(key)!;
    await setNode(c, n.id, { status: "QUEUED", queue: queueOf(n) });
    n.status = "QUEUED";
  }
  for (const key of skipped) {
    const n = byKey.get(key)!;
    await setNode(c, n.id, { status: "SKIPPED", finishedAt: new Date(), error: "upstream did not succeed" });
    n.status = "SKIPPED";
  }
  if (ready.length) c.wakeWorkers();
  return ready.length + skipped.length > 0;
}

function queueOf(n: NodeLite): string | null {
  return n.kind === "external" ? n.queueName : null;
}

/**
 * Map nodes that expanded (RUNNING without a lease) are driven by their children: release
 * PENDING children up to the map's concurrency (one UPDATE for all of them), and finish
 * the map once every child ended. Updates `nodes` and `groups` in place.
 */
async function settleMaps(c: RunTx, nodes: NodeLite[], groups: Map<string, Group>): Promise<boolean> {
  let changed = false;
  for (const m of nodes) {
    if (m.kind !== "map" || m.status !== "RUNNING" || m.leaseExpiresAt) continue;
    const g = groups.get(m.key) ?? { total: 0, pending: 0, active: 0, done: 0, progressSum: 0 };
    const room = Math.min(g.pending, Math.max(0, (m.concurrency ?? 10) - g.active));
    if (room > 0) {
      const released = await releaseChildren(c, m.key, room);
      g.pending -= released;
      g.active += released;
      if (released) c.wakeWorkers();
    }
    if (g.done === g.total) {
      m.status = await finishMap(c, m, g.total);
      changed = true;
    }
  }
  return changed;
}

/** The next `limit` PENDING children of a map (in order) become QUEUED, in one statement. */
async function releaseChildren(c: RunTx, parentKey: string, limit: number): Promise<number> {
  const ids = await c.tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM run_nodes
    WHERE run_id = ${c.run.id}::uuid AND parent_key = ${parentKey} AND status = 'PENDING'
    ORDER BY position LIMIT ${limit}`;
  const rows = await setNodes(
    c,
    ids.map((r) => r.id),
    { status: "QUEUED" },
  );
  return rows.length;
}

/** A map whose children all ended: its output is theirs, in order (size-checked like other payloads). */
async function finishMap(c: RunTx, m: NodeLite, total: number): Promise<NodeStatus> {
  const [failed] = await c.tx.$queryRaw<{ key: string; status: string; error: string | null }[]>`
    SELECT key, status::text AS status, error FROM run_nodes
    WHERE run_id = ${c.run.id}::uuid AND parent_key = ${m.key} AND status <> 'SUCCEEDED'
    ORDER BY position LIMIT 1`;
  const output = await childOutputs(c, m.key);
  const size = jsonBytes(output);
  const tooBig =
    size > MAX_MAP_OUTPUT_BYTES
      ? `map output (its ${total} children's outputs) is ${size} bytes; the limit is ${MAX_MAP_OUTPUT_BYTES} (1 MiB)`
      : null;
  const status = failed || tooBig ? "FAILED" : "SUCCEEDED";
  await setNode(c, m.id, {
    status,
    output: tooBig ? undefined : (output as object),
    error: failed ? `${failed.key} ${failed.status.toLowerCase()}: ${failed.error ?? ""}`.trim() : tooBig,
    progress: 1,
    finishedAt: new Date(),
  });
  return status;
}

/**
 * Put the run in its final status and seal its log with RUN_COMPLETED (the last event:
 * the append path refuses anything after it).
 */
export async function finishRun(
  c: RunTx,
  status: Extract<RunStatus, "SUCCEEDED" | "FAILED" | "CANCELLED">,
  error: string | null,
) {
  const finishedAt = new Date();
  const run = await c.tx.run.update({
    where: { id: c.run.id },
    data: { status, statusReason: null, error, finishedAt, progress: status === "SUCCEEDED" ? 1 : c.run.progress },
  });
  c.run = run;
  const counts = await c.tx.runNode.groupBy({ by: ["status"], where: { runId: run.id }, _count: true });
  const count = (s: string) => counts.find((x) => x.status === s)?._count ?? 0;
  const durationMs = run.startedAt ? finishedAt.getTime() - run.startedAt.getTime() : 0;
  c.emit("RUN_STATUS", { status, reason: error, progress: run.progress });
  c.emit("RUN_COMPLETED", { status, nodesSucceeded: count("SUCCEEDED"), nodesFailed: count("FAILED"), durationMs });
}

async function childOutputs(c: RunTx, parentKey: string): Promise<unknown[]> {
  const rows = await c.tx.runNode.findMany({
    where: { runId: c.run.id, parentKey },
    orderBy: { position: "asc" },
    select: { output: true },
  });
  return rows.map((r) => r.output ?? null);
}

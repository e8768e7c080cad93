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
 * The slice of a node that advancing a run needs. Read as a narrow projection: advancing
 * runs after every node change, and a 1,000-child map must not re-read every child's
 * config and output each time.
 */
interface NodeLite {
  id: string;
  key: string;
  kind: string;
  status: NodeStatus;
  needs: string[];
  parentKey: string | null;
  progress: number;
  leaseExpiresAt: Date | null;
  error: string | null;
  trigger: TriggerRule;
  concurrency: number | null;
  queueName: string | null;
}

async function loadNodes(c: RunTx): Promise<NodeLite[]> {
  return c.tx.$queryRaw<NodeLite[]>`
    SELECT id, key, kind, status::text AS status, needs, parent_key AS "parentKey", progress,
           lease_expires_at AS "leaseExpiresAt", error,
           COALESCE(config->>'trigger', 'all_succeeded') AS trigger,
           (config->'with'->>'concurrency')::int AS concurrency,
           config->'with'->>'queue' AS "queueName"
    FROM run_nodes WHERE run_id = ${c.run.id}::uuid ORDER BY position`;
}

type NodeData = Parameters<RunTx["tx"]["runNode"]["update"]>[0]["data"];

/**
 * Update one node and emit its NODE_STATE snapshot. The node transition table is enforced
 * by the UPDATE itself (`WHERE status IN (allowed sources)`): a write that would move a
 * node out of a terminal status, or skip a step, changes nothing and throws
 * INVALID_TRANSITION, which rolls the whole run transaction back.
 */
export async function setNode(c: RunTx, id: string, data: NodeData) {
  const to = data.status as NodeStatus | undefined;
  const from = to ? nodeSourcesOf(to) : NON_TERMINAL_NODE;
  try {
    const n = await c.tx.runNode.update({
      where: { id, status: { in: [...from] } },
      data: { ...data, updatedAt: new Date() },
    });
    c.emit("NODE_STATE", { node: nodeSnapshot(n) });
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
 * Move the run forward after any node change, in the caller's transaction: decide PENDING
 * nodes (queue or skip, per trigger rules), release map children up to the map's
 * concurrency, finish map nodes whose children all ended, and finish the run when
 * every node is terminal. Idempotent: calling it twice changes nothing the second time.
 */
export async function advanceRun(c: RunTx): Promise<void> {
  if (isTerminalRun(c.run.status)) return;
  let nodes = await loadNodes(c);
  for (let pass = 0; pass < 10; pass++) {
    const changed = (await settleMaps(c, nodes)) || (await resolveNodes(c, nodes));
    if (!changed) break;
    nodes = await loadNodes(c);
  }
  const progress = runProgress(nodes);
  if (nodes.every((n) => isTerminalNode(n.status))) {
    const outcome = runOutcome(nodes);
    const failed = nodes.find((n) => n.status === "FAILED" && !n.parentKey);
    await finishRun(c, outcome, failed ? `node ${failed.key} failed: ${failed.error ?? "error"}` : null);
  } else if (progress !== c.run.progress) {
    c.run = await c.tx.run.update({ where: { id: c.run.id }, data: { progress } });
  }
}

async function resolveNodes(c: RunTx, nodes: NodeLite[]): Promise<boolean> {
  const { ready, skipped } = resolvePending(nodes);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  for (const key of ready) await setNode(c, byKey.get(key)!.id, { status: "QUEUED", queue: queueOf(byKey.get(key)!) });
  for (const key of skipped) {
    await setNode(c, byKey.get(key)!.id, {
      status: "SKIPPED",
      finishedAt: new Date(),
      error: "upstream did not succeed",
    });
  }
  if (ready.length) c.wakeWorkers();
  return ready.length + skipped.length > 0;
}

function queueOf(n: NodeLite): string | null {
  return n.kind === "external" ? n.queueName : null;
}

/** Map nodes that expanded (RUNNING without a lease) are driven by their children. */
async function settleMaps(c: RunTx, nodes: NodeLite[]): Promise<boolean> {
  let changed = false;
  for (const m of nodes) {
    if (m.kind !== "map" || m.status !== "RUNNING" || m.leaseExpiresAt) continue;
    const children = nodes.filter((n) => n.parentKey === m.key);
    const active = children.filter((n) => n.status === "QUEUED" || n.status === "RUNNING").length;
    const release = children
      .filter((n) => n.status === "PENDING")
      .slice(0, Math.max(0, (m.concurrency ?? 10) - active));
    for (const child of release) await setNode(c, child.id, { status: "QUEUED" });
    if (release.length) c.wakeWorkers();
    if (children.every((n) => isTerminalNode(n.status))) {
      const failed = children.find((n) => n.status !== "SUCCEEDED");
      const output = await childOutputs(c, m.key);
      // The map's output (its children's, in order) is size-checked like other payloads.
      const size = jsonBytes(output);
      const tooBig =
        size > MAX_MAP_OUTPUT_BYTES
          ? `map output (its ${children.length} children's outputs) is ${size} bytes; the limit is ${MAX_MAP_OUTPUT_BYTES} (1 MiB)`
          : null;
      await setNode(c, m.id, {
        status: failed || tooBig ? "FAILED" : "SUCCEEDED",
        output: tooBig ? undefined : (output as object),
        error: failed ? `${failed.key} ${failed.status.toLowerCase()}: ${failed.error ?? ""}`.trim() : tooBig,
        progress: 1,
        finishedAt: new Date(),
      });
      changed = true;
    }
  }
  return changed;
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

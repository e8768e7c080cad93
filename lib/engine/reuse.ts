import type { Prisma } from "../db/client";
import type { RunNode } from "../db/generated/client";
import { canonicalJson } from "../spec/canonical";
import { specOf } from "./node-config";
import type { RunTx } from "./run-tx";
import { nodeSnapshot } from "./snapshot";

/**
 * Re-runs from failure (SPEC §11): a node that SUCCEEDED in the source run is created
 * SUCCEEDED in the new one with the source's output, never executed. These helpers build
 * such rows and record them; lib/runs/rerun-run.ts uses them for the spec's nodes (and a
 * reused map's children), map.ts for the children of a map that runs again.
 */

/** What a reused node takes from its source row. */
export type SourceNode = Pick<
  RunNode,
  "key" | "kind" | "label" | "status" | "output" | "metrics" | "gate" | "config" | "parentKey" | "position"
>;

/** The source columns `reusedRow` reads (a Prisma `select`). */
export const SOURCE_NODE_SELECT = {
  key: true,
  kind: true,
  label: true,
  status: true,
  output: true,
  metrics: true,
  gate: true,
  config: true,
  parentKey: true,
  position: true,
} as const;

/**
 * `row` (not inserted yet) as the reused copy of `source`: SUCCEEDED, `reused`, the same
 * output, metrics and gate (its decision included), attempt 0 (it never ran here) and cost
 * 0 — what it cost was spent by the source run and is not charged to this one's budget.
 * No `startedAt`, so no duration: it did not run in this run.
 */
export function reusedRow<R extends Prisma.RunNodeCreateManyInput>(row: R, source: SourceNode, now: Date): R {
  return {
    ...row,
    status: "SUCCEEDED",
    reused: true,
    output: (source.output ?? undefined) as Prisma.InputJsonValue | undefined,
    metrics: (source.metrics ?? {}) as Prisma.InputJsonValue,
    gate: (source.gate ?? undefined) as Prisma.InputJsonValue | undefined,
    progress: 1,
    cost: 0,
    attempt: 0,
    finishedAt: now,
  };
}

/**
 * One NODE_STATE per reused node of this run in `keys` (or all of them), in DAG order, in
 * the transaction that created them: the log says what the tables say — a replay sees
 * each reused node SUCCEEDED, and no RUNNING before it.
 */
export async function recordReused(c: RunTx, keys?: string[]): Promise<string[]> {
  const rows = await c.tx.runNode.findMany({
    where: { runId: c.run.id, reused: true, ...(keys ? { key: { in: keys } } : {}) },
    orderBy: { position: "asc" },
  });
  for (const n of rows) c.emit("NODE_STATE", { node: nodeSnapshot(n) });
  return rows.map((n) => n.key);
}

/**
 * The source run's SUCCEEDED children of map `mapKey` that child `i` of this expansion may
 * reuse: same index and the same item (canonical JSON) — a child over a different item
 * computed something else. Keyed by index.
 */
export async function reusableChildren(
  tx: RunTx["tx"],
  sourceRunId: string,
  mapKey: string,
  items: unknown[],
): Promise<Map<number, SourceNode>> {
  const rows = await tx.runNode.findMany({
    where: { runId: sourceRunId, parentKey: mapKey, status: "SUCCEEDED" },
    select: SOURCE_NODE_SELECT,
  });
  const out = new Map<number, SourceNode>();
  for (const r of rows) {
    const { index, item } = specOf(r);
    if (index === undefined || index >= items.length) continue;
    if (canonicalJson(item ?? null) === canonicalJson(items[index] ?? null)) out.set(index, r);
  }
  return out;
}

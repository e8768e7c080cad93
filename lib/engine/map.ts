import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { env } from "../env";
import { DomainError } from "../errors";
import type { NodeSpec } from "../spec/types";
import { advanceRun, setNode } from "./advance";
import { configOf, specOf } from "./node-config";
import { fence, type LeaseRef } from "./report";
import { copyResults } from "./results";
import { recordReused, reusableChildren, reusedRow, type SourceNode } from "./reuse";
import { withRun } from "./run-tx";
import { nodeSnapshot } from "./snapshot";

/**
 * Grow the DAG at run time: one child `<id>[<i>]` per item, emitted as DAG_MUTATED. The
 * map node stays RUNNING without a lease (nothing to expire) and finishes with its
 * children's outputs once they all end (see advance.ts settleMaps). In a re-run from
 * failure, a child whose counterpart SUCCEEDED in the source run (same index, same item)
 * is created SUCCEEDED with its output (`reused`, lib/engine/reuse.ts) and never runs.
 */
export async function expandMap(db: Db, ref: LeaseRef, items: unknown[]): Promise<void> {
  await withRun(db, ref.runId, async (c) => {
    const parent = await fence(c, ref);
    const cfg = configOf(parent, "map");
    const max = cfg.maxItems ?? 1000;
    if (items.length > max)
      throw new DomainError("BAD_INPUT", `map over ${items.length} items exceeds maxItems ${max}`);
    // All maps of a run together: without this, 5,000 maps × 1,000 items = 5 million rows.
    const perRun = env().SIGNALBOX_MAX_DYNAMIC_NODES;
    const existing = await c.tx.runNode.count({ where: { runId: ref.runId, dynamic: true } });
    if (existing + items.length > perRun)
      throw new DomainError(
        "BAD_INPUT",
        `map over ${items.length} items would give this run ${existing + items.length} map children; the limit per run is ${perRun} (SIGNALBOX_MAX_DYNAMIC_NODES)`,
        { existing, items: items.length, limit: perRun },
      );
    const base = await c.tx.runNode.aggregate({ where: { runId: ref.runId }, _max: { position: true } });
    const start = (base._max.position ?? 0) + 1;
    const source = specOf(parent).reuseChildrenOf;
    const reuse = source ? await reusableChildren(c.tx, source, parent.key, items) : new Map<number, SourceNode>();
    const now = new Date();
    const children = items.map((item, i) => {
      const childSpec: NodeSpec = {
        id: `${parent.key}[${i}]`,
        kind: cfg.node.kind,
        needs: [],
        label: cfg.node.label,
        // Validated against the child's kind at submit (lib/spec/kinds.ts validateKindConfig).
        with: (cfg.node.with ?? {}) as Record<string, unknown>,
        retries: cfg.node.retries ?? 0,
        retryDelayMs: 1000,
        timeoutMs: cfg.node.timeoutMs,
        cost: cfg.node.cost ?? 0,
        trigger: "all_succeeded",
        results: false,
      };
      const row = {
        id: randomUUID(),
        runId: ref.runId,
        key: childSpec.id,
        kind: childSpec.kind,
        label: childSpec.label ?? null,
        needs: [],
        config: { ...childSpec, item, index: i } as object,
        dynamic: true,
        parentKey: parent.key,
        position: start + i,
      };
      const from = reuse.get(i);
      return from ? reusedRow(row, from, now) : row;
    });
    await c.tx.runNode.createMany({ data: children });
    // Through setNode: the parent's new progress and item count are in the log too.
    await setNode(c, parent.id, {
      leaseExpiresAt: null,
      leaseOwner: null,
      progress: 0,
      metrics: { items: items.length },
    });
    const added = await c.tx.runNode.findMany({
      where: { runId: ref.runId, parentKey: parent.key },
      orderBy: { position: "asc" },
    });
    c.emit("DAG_MUTATED", {
      addedNodes: added.map(nodeSnapshot),
      addedEdges: added.map((n) => ({ from: parent.key, to: n.key })),
    });
    if (reuse.size > 0 && source) {
      const keys = [...reuse.keys()].sort((a, b) => a - b).map((i) => children[i].key);
      await recordReused(c, keys);
      await copyResults(c, source, keys);
    }
    await advanceRun(c);
  });
}

import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { Run } from "../db/generated/client";
import { specOf } from "../engine/node-config";
import { copyResults } from "../engine/results";
import { recordReused, reusedRow, SOURCE_NODE_SELECT, type SourceNode } from "../engine/reuse";
import { nodeSnapshot } from "../engine/snapshot";
import { DomainError, notFound } from "../errors";
import { assertPayloadSize } from "../limits";
import { validateSpec } from "../spec/validate";
import { getRun } from "./queries";
import { createRun, type NodeRow, type RunSeed, type SubmitOptions } from "./submit-run";

export interface RerunInput {
  namespace: string;
  /** The source run. */
  runId: string;
  /** Reuse every node that SUCCEEDED in the source (only for a FAILED or CANCELLED source). */
  fromFailure?: boolean;
  /** Param overrides over the spec's defaults, as for submitRun; else the source's params. */
  params?: Record<string, unknown> | null;
}

/**
 * Re-run a run (SPEC §11): a new QUEUED run of the source's exact spec, with its params
 * (unless `params` are given: then they override the spec's defaults, as on submit), its
 * budget, label and pipeline version; `trigger` RERUN, `rerunOfId` the source. Another
 * namespace's run is NOT_FOUND.
 *
 * `fromFailure`: every node that SUCCEEDED in the source — a gate decided in it included,
 * and a succeeded map with its children — is created SUCCEEDED with its output, metrics
 * and result rows, `reused`, cost 0 (the source paid for it), and never executed; the
 * rest runs. A map that did not succeed runs again, and its children that succeeded in
 * the source are reused one by one as it expands (lib/engine/map.ts). The new run's
 * NODE_STATE events for reused nodes are appended in the transaction that creates them.
 */
export async function rerunRun(db: Db, input: RerunInput, opts: SubmitOptions): Promise<Run> {
  const source = await getRun(db, input.namespace, input.runId);
  if (!source) throw notFound("run");
  if (input.fromFailure && source.status !== "FAILED" && source.status !== "CANCELLED") {
    throw new DomainError(
      "INVALID_TRANSITION",
      `run ${source.id} is ${source.status}: only a FAILED or CANCELLED run can be re-run from its failure (re-run it without fromFailure to run everything again)`,
      { status: source.status },
    );
  }
  assertPayloadSize(input.params ?? null, "params");
  // Valid when it was submitted; checked again because the rules may have changed since
  // (command nodes switched off for the namespace).
  const checked = validateSpec(source.spec, opts);
  if (!checked.ok)
    throw new DomainError("INVALID_SPEC", "the source run's spec is not valid here any more", {
      problems: checked.problems,
    });
  const seed = input.fromFailure ? await reuseSeed(db, source) : undefined;
  return createRun(
    db,
    {
      namespace: source.namespace,
      params: input.params ?? (source.params as Record<string, unknown>),
      budget: source.budget,
      label: source.label,
      trigger: "RERUN",
      rerunOfId: source.id,
    },
    { spec: checked.spec, pipelineName: source.pipelineName, pipelineVersion: source.pipelineVersion },
    seed,
  );
}

/**
 * The new run's rows from the source's: a spec node that SUCCEEDED there is reused (and a
 * reused map's children are copied after the spec's nodes, in their order); a map that did
 * not carries the source's id, so its expansion reuses the children that did.
 */
async function reuseSeed(db: Db, source: Run): Promise<RunSeed> {
  const rows = await db.runNode.findMany({
    where: { runId: source.id, status: "SUCCEEDED" },
    orderBy: { position: "asc" },
    select: SOURCE_NODE_SELECT,
  });
  const succeeded = new Map(rows.filter((r) => r.parentKey === null).map((r) => [r.key, r]));
  const childrenOf = new Map<string, SourceNode[]>();
  for (const r of rows) {
    if (r.parentKey && succeeded.has(r.parentKey))
      childrenOf.set(r.parentKey, [...(childrenOf.get(r.parentKey) ?? []), r]);
  }
  const now = new Date();
  return {
    nodes: (fresh) => {
      const out: NodeRow[] = [];
      let position = fresh.length;
      for (const row of fresh) {
        const from = succeeded.get(row.key);
        if (from) out.push(reusedRow(row, from, now));
        else if (row.kind === "map")
          out.push({ ...row, config: { ...specOf(row), reuseChildrenOf: source.id } as object });
        else out.push(row);
        for (const child of from ? (childrenOf.get(row.key) ?? []) : []) {
          const copy: NodeRow = {
            id: randomUUID(),
            runId: row.runId,
            key: child.key,
            kind: child.kind,
            label: child.label,
            needs: [],
            config: child.config as object,
            dynamic: true,
            parentKey: child.parentKey,
            position: position++,
          };
          out.push(reusedRow(copy, child, now));
        }
      }
      return out;
    },
    record: async (c) => {
      const keys = await recordReused(c, [...succeeded.keys()]);
      // A reused map's children, announced as its expansion would announce them.
      for (const [mapKey, children] of childrenOf) {
        const added = await c.tx.runNode.findMany({
          where: { runId: c.run.id, parentKey: mapKey },
          orderBy: { position: "asc" },
        });
        c.emit("DAG_MUTATED", {
          addedNodes: added.map(nodeSnapshot),
          addedEdges: added.map((n) => ({ from: mapKey, to: n.key })),
        });
        keys.push(
          ...(await recordReused(
            c,
            children.map((ch) => ch.key),
          )),
        );
      }
      await copyResults(c, source.id, keys);
    },
  };
}

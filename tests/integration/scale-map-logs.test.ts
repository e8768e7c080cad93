/**
 * Scale (issue 9): one run with a 1,000-child map and 100,000 log lines written while it
 * runs, on real PostgreSQL with the real worker. The log stays gapless, every child is
 * recorded once, and the run page's read (the `RunConsole` document, executed in-process
 * as the page does) takes every node but only the latest events — never all 100,000 lines.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { RunConsoleDocument } from "../../app/graphql/generated";
import type { ServerContext } from "../../graphql/context";
import { localExecutor } from "../../graphql/local";
import { buildSchema } from "../../graphql/resolvers/index";
import { decideGate } from "../../lib/engine/gates";
import { appendEventsNow } from "../../lib/events/append";
import { MAX_NODES_PAGE } from "../../lib/runs/queries";
import { buildRig, finished, submit, type TestRig, waitForNode, waitForRun } from "./helpers";

const CHILDREN = 1_000;
const LINES = 100_000;
const BATCH = 1_000;

let rig: TestRig;
beforeAll(async () => {
  rig = await buildRig();
});
afterAll(() => rig?.stop());

it("a 1,000-child map and 100,000 log lines: gapless, every child once, the page reads only the latest events", async () => {
  const run = await submit(rig, {
    name: "scale",
    nodes: [
      { id: "hold", kind: "gate", with: { title: "start the fan-out?" } },
      { id: "items", kind: "transform", needs: ["hold"], with: { expression: `[1..${CHILDREN}]` } },
      {
        id: "fan",
        kind: "map",
        needs: ["items"],
        with: { over: "inputs.items", maxItems: CHILDREN, concurrency: 50, node: { kind: "sleep", with: { ms: 1 } } },
      },
    ],
  });
  await waitForNode(rig.db, run.id, "hold", "WAITING");

  // Half the lines before the fan-out starts, half while its children run.
  const writeLines = async (from: number, to: number) => {
    for (let i = from; i < to; i += BATCH) {
      const events = Array.from({ length: BATCH }, (_, k) => ({
        type: "LOG" as const,
        payload: { level: "INFO", message: `line ${i + k}`, nodeKey: "fan" },
      }));
      expect(await appendEventsNow(rig.db, run.id, events)).not.toBeNull();
    }
  };
  await writeLines(0, LINES / 2);
  await decideGate(rig.db, { runId: run.id, nodeKey: "hold", decision: "APPROVE", decidedBy: "test" });
  await writeLines(LINES / 2, LINES);
  const done = await waitForRun(rig.db, run.id, finished, 150_000);
  expect(done.status).toBe("SUCCEEDED");

  // Gapless and unique: seqs are exactly 1..lastSeq (the primary key makes them unique).
  const [seqs] = await rig.db.$queryRaw<{ n: bigint; lo: number; hi: number }[]>`
    SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM run_events WHERE run_id = ${run.id}::uuid`;
  expect({ n: Number(seqs.n), lo: seqs.lo, hi: seqs.hi }).toEqual({ n: done.lastSeq, lo: 1, hi: done.lastSeq });
  const [logs] = await rig.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM run_events WHERE run_id = ${run.id}::uuid AND type = 'LOG' AND payload->>'message' LIKE 'line %'`;
  expect(Number(logs.n)).toBe(LINES);

  // Every child: one row, SUCCEEDED, and exactly one NODE_STATE saying so.
  const children = await rig.db.runNode.findMany({ where: { runId: run.id, parentKey: "fan" } });
  expect(children).toHaveLength(CHILDREN);
  expect(children.every((c) => c.status === "SUCCEEDED")).toBe(true);
  const succeeded = await rig.db.$queryRaw<{ key: string; n: bigint }[]>`
    SELECT payload->'node'->>'key' AS key, count(*) AS n FROM run_events
    WHERE run_id = ${run.id}::uuid AND type = 'NODE_STATE' AND payload->'node'->>'status' = 'SUCCEEDED'
      AND payload->'node'->>'key' LIKE 'fan[%'
    GROUP BY 1`;
  expect(succeeded).toHaveLength(CHILDREN);
  expect(succeeded.every((r) => Number(r.n) === 1)).toBe(true);

  // The run page's read: all 1,003 nodes, the latest 300 events, not the log. The query
  // reads only through runtime.db.
  const execute = localExecutor(buildSchema(), { runtime: { db: rig.db } } as unknown as ServerContext);
  const viewer = { tokenId: "test", name: "test", namespace: rig.namespace, role: "VIEWER" as const };
  const page = await execute(viewer, RunConsoleDocument, { id: run.id, nodes: MAX_NODES_PAGE, events: 300 });
  expect(page.run?.lastSeq).toBe(done.lastSeq);
  expect(page.run?.nodes).toHaveLength(CHILDREN + 3);
  const events = page.run?.events.events ?? [];
  expect(events.length).toBe(300);
  expect(events[0].seq).toBe(done.lastSeq - 299);
  expect(events.at(-1)?.type).toBe("RUN_COMPLETED");
}, 240_000);

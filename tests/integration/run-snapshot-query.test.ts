/**
 * `run(id)` is one snapshot (issue 9): the nodes it returns are exactly the state the
 * run's events 1..lastSeq describe, read over HTTP from the real server while a map's
 * children keep changing state. The server-rendered run console executes the same
 * document (`RunConsole`), so this is the no-gap / nothing-twice guarantee of the page.
 */
import { print } from "graphql";
import { expect, it } from "vitest";
import { RunConsoleDocument, type RunConsoleQuery } from "../../app/graphql/generated";
import { gqlData, serveForTests, type TestServer } from "./graphql-harness";

const CHILDREN = 150;
let h: TestServer;
serveForTests({ worker: true }, (x) => {
  h = x;
});

const SUBMIT = `mutation($spec: JSON!) { submitRun(input: { spec: $spec }) { id } }`;
const EVENTS = `query($runId: ID!, $afterSeq: Int!) {
  events(runId: $runId, afterSeq: $afterSeq, first: 1000) {
    events { seq ... on NodeStateEvent { node { key status } } ... on DagMutatedEvent { addedNodes { key status } }
      ... on GateWaitingEvent { node { key status } } ... on GateDecidedEvent { node { key status } } }
    hasMore
  }
}`;

type EventRow = { seq: number; node?: { key: string; status: string }; addedNodes?: { key: string; status: string }[] };

/** Node statuses as the events up to `lastSeq` leave them. */
async function replay(runId: string, lastSeq: number): Promise<Map<string, string>> {
  const status = new Map<string, string>();
  let after = 0;
  while (after < lastSeq) {
    const { events } = await gqlData<{ events: { events: EventRow[]; hasMore: boolean } }>(
      h.server,
      h.t.viewer,
      EVENTS,
      { runId, afterSeq: after },
    );
    if (events.events.length === 0) break;
    for (const e of events.events) {
      if (e.seq > lastSeq) return status;
      for (const n of e.addedNodes ?? []) status.set(n.key, n.status);
      if (e.node) status.set(e.node.key, e.node.status);
      after = e.seq;
    }
  }
  return status;
}

it("run(id) returns nodes exactly as of its lastSeq while the run changes", async () => {
  const spec = {
    name: "snapshot",
    nodes: [
      { id: "items", kind: "transform", with: { expression: `[1..${CHILDREN}]` } },
      {
        id: "fan",
        kind: "map",
        needs: ["items"],
        with: { over: "inputs.items", maxItems: CHILDREN, concurrency: 8, node: { kind: "sleep", with: { ms: 5 } } },
      },
    ],
  };
  const { submitRun } = await gqlData<{ submitRun: { id: string } }>(h.server, h.t.operator, SUBMIT, { spec });
  const query = print(RunConsoleDocument);
  let compared = 0;
  let midRun = 0;
  for (let i = 0; i < 400; i++) {
    const { run } = await gqlData<RunConsoleQuery>(h.server, h.t.viewer, query, {
      id: submitRun.id,
      nodes: 500,
      events: 50,
    });
    if (!run) throw new Error("run not found");
    // The page's events end exactly at lastSeq.
    if (run.events.events.length) expect(run.events.events.at(-1)?.seq).toBe(run.lastSeq);
    const expected = await replay(run.id, run.lastSeq);
    const actual = new Map(run.nodes.map((n) => [n.key, n.status]));
    // Nodes no event mentions yet are still as submitted (PENDING).
    for (const [key, s] of actual) if (!expected.has(key)) expected.set(key, s === "PENDING" ? s : "(no event)");
    expect(actual).toEqual(expected);
    compared++;
    if (run.sealed) break;
    if (run.status === "RUNNING" && [...actual.values()].some((s) => s === "RUNNING")) midRun++;
  }
  expect(compared).toBeGreaterThan(1);
  // The comparison ran while children were changing state, not only once it was over.
  expect(midRun).toBeGreaterThanOrEqual(3);
}, 120_000);

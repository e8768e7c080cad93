import { describe, expect, it } from "vitest";
import { initialState, reduceBatch } from "../../app/components/run/run-state";
import type { ConsoleEvent, RunSnapshot } from "../../app/components/run/types";

const snapshot = (rows: unknown[], lastSeq: number): RunSnapshot =>
  ({
    run: { id: "r", status: "RUNNING" },
    spec: {},
    params: {},
    nodes: [],
    cost: { spent: 0, budget: null, remaining: null },
    results: { columns: rows.length ? ["n"] : [], rows },
    events: [],
    lastSeq,
    canOperate: false,
    canPromote: false,
  }) as unknown as RunSnapshot;

const results = (seq: number, rows: unknown[], offset: number | undefined, columns = ["n"]) =>
  ({
    __typename: "ResultsEvent",
    id: `r:${seq}`,
    seq,
    runId: "r",
    at: "2026-01-01T00:00:00.000Z",
    type: "RESULTS",
    results: { columns, rows },
    offset,
    total: offset === undefined ? rows.length : offset + rows.length,
  }) as unknown as ConsoleEvent;

describe("results in the run console state", () => {
  it("RESULTS events append their rows at their offset to the snapshot's table", () => {
    let s = initialState(snapshot([{ n: 0 }], 3));
    s = reduceBatch(s, [results(4, [{ n: 1 }, { n: 2 }], 1), results(5, [{ n: 3, m: 1 }], 3, ["n", "m"])], 0);
    expect(s.results).toEqual({ columns: ["n", "m"], rows: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3, m: 1 }] });
    // Replayed (seq ≤ lastSeq) events change nothing.
    expect(reduceBatch(s, [results(5, [{ n: 3, m: 1 }], 3)], 0)).toBe(s);
  });

  it("an old whole-table event (no offset) replaces the table, as it used to", () => {
    let s = initialState(snapshot([{ n: 0 }], 1));
    s = reduceBatch(s, [results(2, [{ n: 0 }, { n: 1 }], undefined)], 0);
    expect(s.results.rows).toEqual([{ n: 0 }, { n: 1 }]);
  });
});

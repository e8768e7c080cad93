import { describe, expect, it } from "vitest";
import {
  bestCells,
  betterDirection,
  mergeLeaderboards,
  paramsDiff,
  parseRunIds,
} from "@/app/components/compare/leaderboard";

const run = (id: string, columns: string[], rows: unknown[]) => ({ id, name: `run ${id}`, results: { columns, rows } });

describe("compare: merged leaderboard", () => {
  it("puts every run's rows in one table, columns united in first-seen order", () => {
    const board = mergeLeaderboards([
      run(
        "a",
        ["item", "score"],
        [
          { item: "x", score: 0.5 },
          { item: "y", score: 0.25 },
        ],
      ),
      run("b", ["item", "score", "notes"], [{ item: "x", score: 0.75, notes: "late" }]),
      run("c", [], []),
    ]);
    expect(board.columns).toEqual(["item", "score", "notes"]);
    expect(board.rows.map((r) => [r.runId, r.index, r.cells.item])).toEqual([
      ["a", 0, "x"],
      ["a", 1, "y"],
      ["b", 0, "x"],
    ]);
    expect([...board.numeric]).toEqual(["score"]);
  });

  it("keeps a column textual when any run has text in it; scalars rows land in `value`", () => {
    const board = mergeLeaderboards([run("a", ["v"], [{ v: 1 }]), run("b", ["v"], [{ v: "n/a" }, 7])]);
    expect(board.numeric.has("v")).toBe(false);
    expect(board.columns).toEqual(["v", "value"]);
    expect(board.rows[2].cells).toEqual({ value: 7 });
  });
});

describe("compare: best values", () => {
  it("marks the highest score and the lowest loss, ties included", () => {
    const board = mergeLeaderboards([
      run(
        "a",
        ["score", "loss"],
        [
          { score: 0.9, loss: 0.3 },
          { score: 0.5, loss: 0.1 },
        ],
      ),
      run("b", ["score", "loss"], [{ score: 0.9, loss: 0.2 }]),
    ]);
    const best = bestCells(board);
    expect([...(best.get("score") ?? [])]).toEqual(["a#0", "b#0"]);
    expect([...(best.get("loss") ?? [])]).toEqual(["a#1"]);
  });

  it("marks nothing where all values are equal or only one is there", () => {
    const board = mergeLeaderboards([run("a", ["n", "k"], [{ n: 3, k: 1 }]), run("b", ["n"], [{ n: 3 }])]);
    expect(bestCells(board).size).toBe(0);
  });

  it("reads error, loss, cost and time columns as lower-is-better", () => {
    for (const c of ["loss", "val_loss", "error", "rmse", "latencyMs", "cost", "duration_s", "time"]) {
      expect(betterDirection(c), c).toBe("min");
    }
    for (const c of ["score", "accuracy", "f1", "items", "auc", "throughput"])
      expect(betterDirection(c), c).toBe("max");
  });
});

describe("compare: params and ids", () => {
  it("lists only params that differ, a missing key counting as different", () => {
    expect(
      paramsDiff([
        { day: "1", threshold: 0.5, same: [1] },
        { day: "1", threshold: 0.7, same: [1] },
        { day: "1", same: [1], extra: true },
      ]),
    ).toEqual([
      { key: "threshold", values: [0.5, 0.7, undefined] },
      { key: "extra", values: [undefined, undefined, true] },
    ]);
  });

  it("parses ?runs=a,b,c into distinct ids, capped", () => {
    expect(parseRunIds("a, b,,a,c", 10)).toEqual(["a", "b", "c"]);
    expect(parseRunIds(["a,b", "c"], 2)).toEqual(["a", "b"]);
    expect(parseRunIds(undefined, 5)).toEqual([]);
  });
});

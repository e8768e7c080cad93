import { describe, expect, it } from "vitest";
import { handleStdoutLine } from "../../lib/engine/executors/command";
import type { Reporter } from "../../lib/engine/executors/types";
import { mergeColumns, toRows } from "../../lib/engine/results";

function recorder() {
  const calls: [string, ...unknown[]][] = [];
  const report: Reporter = {
    progress: (p) => calls.push(["progress", p]),
    cost: (d) => calls.push(["cost", d]),
    metric: (n, v) => calls.push(["metric", n, v]),
    log: (l, m) => calls.push(["log", l, m]),
    result: (r) => calls.push(["result", r]),
  };
  return { calls, ctx: { report } };
}

describe("command workflow commands", () => {
  it("parses each command", () => {
    const { calls, ctx } = recorder();
    handleStdoutLine("::progress 0.4", ctx);
    handleStdoutLine("::cost 0.12", ctx);
    handleStdoutLine("::metric loss=0.5", ctx);
    handleStdoutLine('::result {"a":1}', ctx);
    expect(handleStdoutLine('::output {"best":2}', ctx)).toEqual({ output: { best: 2 } });
    handleStdoutLine("plain line", ctx);
    expect(calls).toEqual([
      ["progress", 0.4],
      ["cost", 0.12],
      ["metric", "loss", 0.5],
      ["result", { a: 1 }],
      ["log", "INFO", "plain line"],
    ]);
  });
  it("turns malformed commands into warnings instead of crashing", () => {
    const { calls, ctx } = recorder();
    handleStdoutLine("::progress lots", ctx);
    handleStdoutLine("::result [1,2]", ctx);
    handleStdoutLine("::metric novalue", ctx);
    expect(calls.map((c) => c[0] === "log" && c[1])).toEqual(["WARNING", "WARNING", "WARNING"]);
  });
});

describe("results table", () => {
  it("normalizes outputs into rows and keeps column order as emitted", () => {
    expect(toRows([{ a: 1 }, 2])).toEqual([{ a: 1 }, { value: 2 }]);
    expect(toRows({ rows: [{ b: 1 }] })).toEqual([{ b: 1 }]);
    expect(toRows({ c: 3 })).toEqual([{ c: 3 }]);
    expect(mergeColumns(["b"], [{ a: 1, b: 2 }, { c: 3 }])).toEqual(["b", "a", "c"]);
  });
});

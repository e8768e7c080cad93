/**
 * The two load-shaped runs shared by the scale e2e tests (correctness) and
 * `bench:browser` (main-thread cost): a 1,000-child map, and ~1,000 log lines per second.
 */

/** 1,000 children, 50 at a time, 150 ms each: ~300 completions (~700 node updates) a second. */
export const WIDE_MAP_SPEC = {
  name: "e2e-wide-map",
  nodes: [
    { id: "warmup", kind: "sleep", with: { ms: 2000 } },
    { id: "items", kind: "transform", needs: ["warmup"], with: { expression: "[1..1000]" } },
    {
      id: "fan",
      kind: "map",
      needs: ["items"],
      with: { over: "inputs.items", maxItems: 1000, concurrency: 50, node: { kind: "sleep", with: { ms: 150 } } },
    },
    { id: "count", kind: "transform", needs: ["fan"], with: { expression: "$count(inputs.fan)" }, results: true },
  ],
};

export const FIREHOSE_LINES = 10_000;

/**
 * A subprocess printing 25 lines every 25 ms (≈ 1,000 LOG events/s) after a short warm-up;
 * with `metrics`, also a `::metric loss=…` per tick (40 points/s for the charts).
 */
export function firehoseSpec(lines = FIREHOSE_LINES, { metrics = false } = {}) {
  return {
    name: "e2e-firehose",
    nodes: [
      { id: "warmup", kind: "sleep", with: { ms: 2500 } },
      {
        id: "firehose",
        kind: "command",
        needs: ["warmup"],
        with: {
          argv: [
            "node",
            "-e",
            `let i=0;const t=setInterval(()=>{for(let k=0;k<25&&i<${lines};k++){i++;console.log('line '+i+' level=info payload='+'x'.repeat(i%60))}if(i%500===0)console.log('::progress '+i/${lines});${metrics ? "console.log('::metric loss='+(1/(1+i/500)));" : ""}if(i>=${lines})clearInterval(t)},25)`,
          ],
        },
      },
    ],
  };
}

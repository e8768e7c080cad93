import { describe, expect, it } from "vitest";
import { validateKindConfig } from "../../lib/spec/kinds";
import { MAX_NODES, MAX_SPEC_BYTES, type SpecProblem, type SpecResult } from "../../lib/spec/types";
import {
  canonicalJson,
  parseAndValidateSpec,
  parseSpecText,
  specChecksum,
  validateSpec,
} from "../../lib/spec/validate";

const opts = { allowCommands: false };

type RawNode = Record<string, unknown>;

function buildNode(id: string, overrides: RawNode = {}): RawNode {
  return { id, kind: "sleep", with: { ms: 10 }, ...overrides };
}

function buildSpec(nodes: RawNode[], overrides: RawNode = {}): RawNode {
  return { name: "test-pipeline", nodes, ...overrides };
}

function buildChain(count: number): RawNode[] {
  return Array.from({ length: count }, (_, i) => buildNode(`n${i}`, i === 0 ? {} : { needs: [`n${i - 1}`] }));
}

function problemsOf(result: SpecResult): SpecProblem[] {
  if (result.ok) throw new Error("expected the spec to be rejected");
  return result.problems;
}

function problemAt(result: SpecResult, path: string): SpecProblem {
  const problem = problemsOf(result).find((p) => p.path === path);
  if (!problem) throw new Error(`no problem at ${path}; got ${JSON.stringify(problemsOf(result))}`);
  return problem;
}

const nightlyYaml = `
name: nightly-report
budget: 2.50
params: { day: "2026-11-21" }
nodes:
  - id: fetch
    kind: http
    with: { url: "http://127.0.0.1:8080/data.json", timeoutMs: 5000 }
    retries: 2
  - id: clean
    kind: transform
    needs: [fetch]
    with: { expression: "inputs.fetch.body.items[score > 0.5]" }
  - id: review
    kind: gate
    needs: [clean]
    with: { title: "Publish these rows?", show: "inputs.clean" }
  - id: each
    kind: map
    needs: [review]
    with: { over: "inputs.review", node: { kind: sleep, with: { ms: 200 }, cost: 0.01 } }
  - id: score
    kind: external
    needs: [each]
    with: { queue: "gpu", input: { rows: "…" } }
    results: true
`;

describe("parseAndValidateSpec on valid specs", () => {
  it("accepts the SPEC §4 YAML example and fills defaults", () => {
    const result = parseAndValidateSpec(nightlyYaml, opts);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { spec } = result;
    expect(spec.name).toBe("nightly-report");
    expect(spec.budget).toBe(2.5);
    expect(spec.params).toEqual({ day: "2026-11-21" });
    const [fetch, clean, review, each, score] = spec.nodes;
    expect(fetch).toMatchObject({ needs: [], retries: 2, retryDelayMs: 1000, cost: 0, trigger: "all_succeeded" });
    expect(fetch.with).toEqual({ url: "http://127.0.0.1:8080/data.json", method: "GET", timeoutMs: 5000 });
    expect(clean.needs).toEqual(["fetch"]);
    expect(review.with).toMatchObject({ onTimeout: "reject" });
    expect(each.with).toEqual({
      over: "inputs.review",
      maxItems: 1000,
      concurrency: 10,
      node: { kind: "sleep", with: { ms: 200 }, cost: 0.01, retries: 0 },
    });
    expect(score.results).toBe(true);
    expect(score.with).toEqual({ queue: "gpu", input: { rows: "…" }, leaseMs: 30000 });
  });

  it("accepts JSON, with params and with defaulting to {}", () => {
    const text = JSON.stringify({ name: "j", nodes: [{ id: "a", kind: "transform", with: { expression: "1 + 1" } }] });
    const result = parseAndValidateSpec(`  ${text}`, opts);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.spec.params).toEqual({});
    expect(result.spec.nodes[0]).toEqual({
      id: "a",
      kind: "transform",
      needs: [],
      with: { expression: "1 + 1" },
      retries: 0,
      retryDelayMs: 1000,
      cost: 0,
      trigger: "all_succeeded",
      results: false,
    });
  });
});

describe("validateSpec lists every problem", () => {
  it("reports a cycle, an unknown kind and a missing dependency together", () => {
    const result = validateSpec(
      buildSpec([
        buildNode("a", { needs: ["b"] }),
        buildNode("b", { needs: ["a"] }),
        buildNode("t", { kind: "teleport", with: {} }),
        buildNode("c", { needs: ["ghost"] }),
      ]),
      opts,
    );
    expect(problemsOf(result)).toHaveLength(3);
    expect(problemAt(result, "nodes[0].needs").message).toBe("cycle: a → b → a");
    expect(problemAt(result, "nodes[2].kind").message).toMatch(/teleport.*sleep, http, transform/);
    expect(problemAt(result, "nodes[3].needs[0]").message).toContain("ghost");
  });

  it("names the members of a longer cycle in order", () => {
    const result = validateSpec(
      buildSpec([
        buildNode("a", { needs: ["c"] }),
        buildNode("b", { needs: ["a"] }),
        buildNode("c", { needs: ["b"] }),
        buildNode("d", { needs: ["c"] }),
      ]),
      opts,
    );
    expect(problemsOf(result)).toEqual([{ path: "nodes[0].needs", message: "cycle: a → b → c → a" }]);
  });

  it("reports self-dependencies", () => {
    const result = validateSpec(buildSpec([buildNode("a", { needs: ["a"] })]), opts);
    expect(problemAt(result, "nodes[0].needs[0]").message).toContain("itself");
  });

  it("reports duplicate ids with the first index", () => {
    const result = validateSpec(buildSpec([buildNode("a"), buildNode("b"), buildNode("a")]), opts);
    expect(problemsOf(result)).toHaveLength(1);
    expect(problemAt(result, "nodes[2].id").message).toMatch(/"a".*nodes\[0\]/);
  });

  it("still runs graph checks when other nodes have a bad shape", () => {
    const result = validateSpec(
      buildSpec([buildNode("a", { retries: -1, extra: true }), { kind: "sleep" }, buildNode("b", { needs: ["zzz"] })]),
      opts,
    );
    const paths = problemsOf(result).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(["nodes[0].retries", "nodes[0].extra", "nodes[1].id", "nodes[2].needs[0]"]),
    );
  });

  it("rejects unknown top-level keys, bad names and bad budgets", () => {
    const result = validateSpec(buildSpec([buildNode("a")], { name: "-bad", budget: -1, colour: "red" }), opts);
    expect(
      problemsOf(result)
        .map((p) => p.path)
        .sort(),
    ).toEqual(["budget", "colour", "name"]);
  });

  it("rejects ids with brackets, which are reserved for map children", () => {
    expect(problemAt(validateSpec(buildSpec([buildNode("a[0]")]), opts), "nodes[0].id")).toBeDefined();
  });

  it("rejects a non-object spec at the root path", () => {
    expect(problemAt(validateSpec([1, 2], opts), "")).toBeDefined();
  });
});

describe("kind config", () => {
  it("points at the bad field of each kind", () => {
    const result = validateSpec(
      buildSpec([
        buildNode("s", { with: { ms: "x" } }),
        buildNode("h", { kind: "http", with: { url: "ftp://example.com/x" } }),
        buildNode("t", { kind: "transform", with: { expression: "inputs.[" } }),
        buildNode("g", { kind: "gate", with: { title: "ok", surprise: 1 } }),
        buildNode("e", { kind: "external", with: { queue: "q", leaseMs: 10 } }),
      ]),
      opts,
    );
    expect(problemsOf(result).map((p) => p.path)).toEqual([
      "nodes[0].with.ms",
      "nodes[1].with.url",
      "nodes[2].with.expression",
      "nodes[3].with.surprise",
      "nodes[4].with.leaseMs",
    ]);
    expect(problemAt(result, "nodes[2].with.expression").message).toMatch(/JSONata.*\]/);
  });

  it("rejects a sleep longer than a day", () => {
    expect(validateKindConfig("sleep", { ms: 24 * 3600 * 1000 + 1 }, "w").problems.map((p) => p.path)).toEqual([
      "w.ms",
    ]);
  });

  it("validates a map child's config with a nested path", () => {
    const result = validateSpec(
      buildSpec([buildNode("m", { kind: "map", with: { over: "[1,2]", node: { kind: "sleep", with: { ms: -5 } } } })]),
      opts,
    );
    expect(problemsOf(result).map((p) => p.path)).toEqual(["nodes[0].with.node.with.ms"]);
  });

  it("refuses gates, externals and maps as map children", () => {
    const result = validateKindConfig("map", { over: "x", node: { kind: "gate", with: { title: "t" } } }, "p");
    expect(result.problems.map((p) => p.path)).toEqual(["p.node.kind"]);
  });
});

describe("command nodes", () => {
  const spec = buildSpec([
    buildNode("run", { kind: "command", with: { argv: ["echo", "hi"] } }),
    buildNode("fan", { kind: "map", with: { over: "[1]", node: { kind: "command", with: { argv: ["true"] } } } }),
  ]);

  it("are refused unless allowCommands, also as map children", () => {
    const result = validateSpec(spec, { allowCommands: false });
    expect(problemAt(result, "nodes[0].kind").message).toContain("SIGNALBOX_ALLOW_COMMANDS=1");
    expect(problemAt(result, "nodes[1].with.node.kind").message).toContain("SIGNALBOX_ALLOW_COMMANDS=1");
  });

  it("are accepted when allowCommands", () => {
    expect(validateSpec(spec, { allowCommands: true }).ok).toBe(true);
  });

  it("need a non-empty argv", () => {
    const result = validateSpec(buildSpec([buildNode("c", { kind: "command", with: { argv: [] } })]), {
      allowCommands: true,
    });
    expect(problemsOf(result).map((p) => p.path)).toEqual(["nodes[0].with.argv"]);
  });
});

describe("limits", () => {
  it("rejects more than MAX_NODES nodes at path nodes", () => {
    const result = validateSpec(buildSpec(buildChain(MAX_NODES + 1)), opts);
    expect(problemsOf(result)).toEqual([{ path: "nodes", message: expect.stringContaining(String(MAX_NODES)) }]);
  });

  it("validates a 5,000-node chain quickly without overflowing the stack", () => {
    const started = performance.now();
    const result = validateSpec(buildSpec(buildChain(MAX_NODES)), opts);
    expect(result.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("finds a cycle closing a 5,000-node chain", () => {
    const nodes = buildChain(MAX_NODES);
    nodes[0].needs = [`n${MAX_NODES - 1}`];
    const [problem] = problemsOf(validateSpec(buildSpec(nodes), opts));
    expect(problem.path).toBe("nodes[0].needs");
    expect(problem.message.startsWith("cycle: n0 → n1 → n2")).toBe(true);
  });

  it("rejects text over MAX_SPEC_BYTES counted in UTF-8 bytes", () => {
    const filler = "é".repeat(MAX_SPEC_BYTES / 2); // 2 bytes each: exactly at the limit
    expect(parseSpecText(`# ${filler}`)).toEqual({ ok: false, problems: [{ path: "", message: expect.any(String) }] });
    expect(parseSpecText(`#${filler.slice(1)}`).ok).toBe(true);
  });

  it("rejects absurdly deep nesting instead of overflowing later", () => {
    let params: unknown = 1;
    for (let i = 0; i < 10_000; i++) params = [params];
    const result = validateSpec(buildSpec([buildNode("a")], { params: { deep: params } }), opts);
    expect(problemAt(result, "")).toBeDefined();
  });
});

describe("parseSpecText", () => {
  it("reports JSON syntax errors with line and column", () => {
    const result = parseSpecText('{\n  "name": "x",\n  "nodes": }\n');
    expect(result).toEqual({
      ok: false,
      problems: [{ path: "", message: expect.stringContaining("line 3, column 12") }],
    });
  });

  it("locates JSON errors V8 reports with a position", () => {
    const result = parseSpecText('{\n  "a": 1\n  "b": 2\n}');
    expect(result).toEqual({
      ok: false,
      problems: [{ path: "", message: expect.stringContaining("line 3, column 3") }],
    });
  });

  it("reports YAML syntax errors with line and column", () => {
    const result = parseSpecText("name: x\nnodes:\n  - id: a\n   kind: [sleep\n");
    if (result.ok) throw new Error("expected a syntax error");
    expect(result.problems[0].message).toMatch(/line \d+, column \d+/);
  });

  it("refuses duplicate YAML keys", () => {
    expect(parseSpecText("name: a\nname: b\n").ok).toBe(false);
  });
});

describe("canonicalJson and specChecksum", () => {
  it("sorts keys recursively and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("gives the same checksum regardless of key order, a different one for a different spec", () => {
    const one = specChecksum({ name: "p", nodes: [{ id: "a", kind: "sleep" }] });
    const two = specChecksum({ nodes: [{ kind: "sleep", id: "a" }], name: "p" });
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(two).toBe(one);
    expect(specChecksum({ name: "p", nodes: [{ id: "b", kind: "sleep" }] })).not.toBe(one);
  });

  it("is stable for the same YAML and JSON spec", () => {
    const fromYaml = parseAndValidateSpec(nightlyYaml, opts);
    if (!fromYaml.ok) throw new Error("expected a valid spec");
    const fromJson = parseAndValidateSpec(JSON.stringify(fromYaml.spec), opts);
    if (!fromJson.ok) throw new Error("expected a valid spec");
    expect(specChecksum(fromJson.spec)).toBe(specChecksum(fromYaml.spec));
  });
});

describe("example specs outside the seeded set", () => {
  it("examples/workers/*.yaml are valid pipelines", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const dir = path.resolve(import.meta.dirname, "../../examples/workers");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = parseAndValidateSpec(fs.readFileSync(path.join(dir, f), "utf8"), { allowCommands: false });
      expect(r.ok ? [] : r.problems, f).toEqual([]);
    }
  });
});

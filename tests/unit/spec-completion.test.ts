import { describe, expect, it } from "vitest";
import { completeJsonSpec, completeYamlSpec, type JsonSchema } from "@/app/components/submit/spec-completion";
import { pipelineJsonSchema } from "@/lib/spec/json-schema";

const schema = pipelineJsonSchema() as JsonSchema;
/** Completes at the `|` in `text`. */
const at = (text: string, complete = completeYamlSpec) => {
  const pos = text.indexOf("|");
  const r = complete(schema, text.replace("|", ""), pos);
  return r ? { from: r.from, labels: r.options.map((o) => o.label) } : null;
};

describe("spec completion (YAML)", () => {
  it("offers node kinds after `kind:`, with the partial word replaced", () => {
    const r = at("name: x\nnodes:\n  - id: a\n    kind: sl|");
    expect(r?.labels).toEqual(["sleep", "http", "transform", "gate", "map", "command", "external"]);
    expect(r?.from).toBe("name: x\nnodes:\n  - id: a\n    kind: ".length);
  });

  it("offers only map child kinds inside a map's `node`", () => {
    const r = at("nodes:\n  - id: m\n    kind: map\n    with:\n      over: inputs\n      node:\n        kind: |");
    expect(r?.labels).toEqual(["sleep", "http", "transform", "command"]);
  });

  it("offers the `with` keys of the node's own kind, wherever `kind` is written", () => {
    expect(at("nodes:\n  - id: a\n    kind: http\n    with:\n      |")?.labels).toEqual([
      "url",
      "method",
      "headers",
      "body",
      "timeoutMs",
    ]);
    expect(at("nodes:\n  - id: a\n    with:\n      t|\n    kind: gate\n")?.labels).toContain("title");
    expect(at("nodes:\n  - kind: sleep\n    with:\n      |")?.labels).toEqual(["ms"]);
  });

  it("offers node keys not yet written, and spec keys at the top", () => {
    const r = at("nodes:\n  - id: a\n    kind: sleep\n    |");
    expect(r?.labels).toContain("needs");
    expect(r?.labels).not.toContain("id");
    expect(r?.labels).not.toContain("kind");
    expect(at("name: x\n|")?.labels).toEqual(["description", "budget", "params", "nodes"]);
    expect(at("nodes:\n  - |")?.labels).toContain("kind");
  });

  it("offers enum values of other keys and nothing for free text", () => {
    expect(at("nodes:\n  - id: a\n    trigger: |")?.labels).toEqual(["all_succeeded", "all_done", "any_succeeded"]);
    expect(at("nodes:\n  - id: a\n    kind: gate\n    with:\n      onTimeout: |")?.labels).toEqual([
      "approve",
      "reject",
    ]);
    expect(at("nodes:\n  - id: |")).toBeNull();
    expect(at("nodes:\n  - id: a\n    kind: sleep\n    with:\n      ms: 10\n      |")).toBeNull();
  });
});

describe("spec completion (JSON)", () => {
  it("offers node kinds inside a kind string", () => {
    expect(at('{"nodes": [{"id": "a", "kind": "ht|"}]}', completeJsonSpec)?.labels).toContain("http");
    expect(at('{"name": "|"}', completeJsonSpec)).toBeNull();
  });
});

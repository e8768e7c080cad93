import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PIPELINE_SCHEMA_FILE, pipelineJsonSchema, printedPipelineJsonSchema } from "@/lib/spec/json-schema";
import { NODE_KINDS } from "@/lib/spec/types";

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON Schema document
type Json = Record<string, any>;

describe("pipeline JSON Schema", () => {
  it("docs/pipeline.schema.json is what `npm run schema:print` writes now (run it after changing lib/spec)", () => {
    const onDisk = readFileSync(path.resolve(import.meta.dirname, "../..", PIPELINE_SCHEMA_FILE), "utf8");
    expect(onDisk).toBe(printedPipelineJsonSchema());
  });

  it("lists every node kind and gives each its own `with` keys", () => {
    const node = (pipelineJsonSchema() as Json).properties.nodes.items;
    expect(node.properties.kind.enum).toEqual([...NODE_KINDS]);
    const withOf = (kind: string) =>
      node.allOf.find((c: Json) => c.if.properties.kind.const === kind).then.properties.with;
    expect(Object.keys(withOf("sleep").properties)).toEqual(["ms"]);
    expect(withOf("http").required).toEqual(["url"]);
    expect(withOf("gate").properties.onTimeout.enum).toEqual(["approve", "reject"]);
    expect(withOf("sleep").additionalProperties).toBe(false);
  });

  it("describes a map's child by the child's kind", () => {
    const node = (pipelineJsonSchema() as Json).properties.nodes.items;
    const map = node.allOf.find((c: Json) => c.if.properties.kind.const === "map").then.properties.with;
    const child = map.properties.node;
    expect(child.properties.kind.enum).toEqual(["sleep", "http", "transform", "command"]);
    expect(child.allOf).toHaveLength(4);
  });
});

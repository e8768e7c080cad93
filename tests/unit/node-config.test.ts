import { describe, expect, it } from "vitest";
import { configOf, specOf } from "../../lib/engine/node-config";
import { validateSpec } from "../../lib/spec/validate";

/** A node row's config is its validated spec: typed access, defaults from the zod schemas. */
describe("node configs", () => {
  const result = validateSpec(
    {
      name: "typed",
      nodes: [
        { id: "g", kind: "gate", with: { title: "ok?" } },
        { id: "m", kind: "map", needs: ["g"], with: { over: "[1,2]", node: { kind: "sleep", with: { ms: 1 } } } },
      ],
    },
    { allowCommands: false },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const row = (id: string) => ({ config: result.spec.nodes.find((n) => n.id === id) });

  it("reads a kind's config with its defaults filled in", () => {
    expect(configOf(row("g"), "gate").onTimeout).toBe("reject");
    const map = configOf(row("m"), "map");
    expect(map.concurrency).toBe(10);
    expect(map.maxItems).toBe(1000);
    expect(map.node.retries).toBe(0);
    expect(specOf(row("m")).trigger).toBe("all_succeeded");
  });

  it("refuses to read one kind's config as another's", () => {
    expect(() => configOf(row("g"), "map")).toThrow("node g is a gate node, not map");
  });
});

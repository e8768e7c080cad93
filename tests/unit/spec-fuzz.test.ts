import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NODE_KINDS } from "../../lib/spec/types";
import { parseAndValidateSpec, validateSpec } from "../../lib/spec/validate";

/** Arbitrary JSON-ish values, including hostile shapes. */
const anything = fc.anything({
  maxDepth: 4,
  withBigInt: false,
  withMap: false,
  withSet: false,
  withObjectString: true,
});

const nodeLike = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("a", "b", "c", "a[0]", "")),
    kind: fc.oneof(fc.constantFrom(...NODE_KINDS, "teleport"), fc.string()),
    needs: fc.oneof(fc.array(fc.constantFrom("a", "b", "c", "ghost")), anything),
    with: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), anything), anything),
    retries: fc.oneof(fc.integer(), anything),
    cost: fc.oneof(fc.double(), anything),
    trigger: fc.oneof(fc.constantFrom("all_succeeded", "all_done", "any_succeeded"), fc.string()),
  },
  { requiredKeys: [] },
);

const specLike = fc.record(
  {
    name: fc.oneof(fc.string(), anything),
    budget: fc.oneof(fc.double(), anything),
    params: anything,
    nodes: fc.oneof(fc.array(nodeLike, { maxLength: 12 }), anything),
  },
  { requiredKeys: [] },
);

describe("spec validation under fuzzing", () => {
  it("never throws on arbitrary objects; every problem has a path and a message", () => {
    fc.assert(
      fc.property(fc.oneof(specLike, anything), (input) => {
        const r = validateSpec(input, { allowCommands: false });
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) {
            expect(typeof p.path).toBe("string");
            expect(p.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("never throws on arbitrary text (JSON or YAML)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json().map((j) => j),
          specLike.map((s) => JSON.stringify(s) ?? ""),
        ),
        (text) => {
          const r = parseAndValidateSpec(text, { allowCommands: true });
          expect(typeof r.ok).toBe("boolean");
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

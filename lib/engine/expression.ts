import jsonata from "jsonata";

const cache = new Map<string, jsonata.Expression>();

/** Evaluate a JSONata expression (compiled once per process). */
export async function evaluate(expression: string, data: unknown): Promise<unknown> {
  let compiled = cache.get(expression);
  if (!compiled) {
    compiled = jsonata(expression);
    if (cache.size > 1000) cache.clear();
    cache.set(expression, compiled);
  }
  const result = await compiled.evaluate(data);
  return normalize(result);
}

/**
 * JSONata returns arrays with a hidden `sequence` flag and `undefined` for "no match";
 * make results plain JSON so they store and compare predictably.
 */
function normalize(v: unknown): unknown {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v));
}

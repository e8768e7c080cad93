import type { RunTx } from "./run-tx";

/** Normalize a node output into result rows: an array of objects, `{rows}`, or one object. */
export function toRows(output: unknown): Record<string, unknown>[] {
  const asRow = (x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : { value: x };
  if (Array.isArray(output)) return output.map(asRow);
  if (output && typeof output === "object" && Array.isArray((output as { rows?: unknown }).rows)) {
    return (output as { rows: unknown[] }).rows.map(asRow);
  }
  if (output === null || output === undefined) return [];
  return [asRow(output)];
}

/** Column order is the order keys were first emitted (SPEC §8 leaderboard). */
export function mergeColumns(columns: string[], rows: Record<string, unknown>[]): string[] {
  const seen = new Set(columns);
  const out = [...columns];
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        out.push(k);
      }
    }
  }
  return out;
}

/**
 * Add rows to the run's results table and emit RESULTS with the whole table.
 * A `results: true` node's output replaces nothing: rows accumulate in emit order.
 */
export async function appendResults(c: RunTx, output: unknown, fromOutput: boolean) {
  const rows = fromOutput ? toRows(output) : (output as Record<string, unknown>[]);
  if (rows.length === 0) return;
  const allRows = [...((c.run.resultsRows as Record<string, unknown>[]) ?? []), ...rows];
  const columns = mergeColumns((c.run.resultsColumns as string[]) ?? [], rows);
  c.run = await c.tx.run.update({
    where: { id: c.run.id },
    data: { resultsRows: allRows as object[], resultsColumns: columns },
  });
  c.emit("RESULTS", { results: { columns, rows: allRows } });
}

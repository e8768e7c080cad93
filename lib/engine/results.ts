import type { Db } from "../db/client";
import { env } from "../env";
import { DomainError } from "../errors";
import { jsonBytes } from "../limits";
import type { RunTx } from "./run-tx";

/** Distinct columns of one results table (every RESULTS event carries the column list). */
const MAX_RESULT_COLUMNS = 256;

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

/** The per-run caps on the results table (env, parsed once). */
function resultCaps() {
  return { rows: env().SIGNALBOX_MAX_RESULT_ROWS, bytes: env().SIGNALBOX_MAX_RESULT_BYTES };
}

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

/**
 * Why these rows do not fit the run's results table, or null when they do. The caps
 * keep one run from filling the database (and every viewer's browser) with rows.
 */
function overResultCaps(c: RunTx, rows: Record<string, unknown>[], bytes: number, columns: number): string | null {
  const caps = resultCaps();
  if (c.run.resultsCount + rows.length > caps.rows) {
    return `results cap reached: a run's results table holds at most ${caps.rows} rows (SIGNALBOX_MAX_RESULT_ROWS); it has ${c.run.resultsCount} and this node adds ${rows.length}`;
  }
  if (c.run.resultsBytes + bytes > caps.bytes) {
    return `results cap reached: a run's results table holds at most ${caps.bytes} bytes of JSON (${mib(caps.bytes)}, SIGNALBOX_MAX_RESULT_BYTES); it has ${c.run.resultsBytes} and this node adds ${bytes}`;
  }
  if (columns > MAX_RESULT_COLUMNS) {
    return `results cap reached: a run's results table has at most ${MAX_RESULT_COLUMNS} columns; these rows make it ${columns}`;
  }
  return null;
}

/**
 * Append rows to the run's results table: into `run_results` (append-only, one row per
 * record, in this transaction) and one RESULTS event carrying only the new rows with
 * their `offset` in the table and the table's `total` — so the log grows with the rows,
 * not with rows², and a client rebuilds the table by placing each event's rows at its
 * offset. A `results: true` node's output is normalized by `toRows`. Over a cap: returns
 * the reason and changes nothing (the caller fails the node with it).
 */
export async function appendResults(
  c: RunTx,
  nodeKey: string,
  output: unknown,
  fromOutput: boolean,
): Promise<string | null> {
  const rows = fromOutput ? toRows(output) : (output as Record<string, unknown>[]);
  return appendRows(
    c,
    rows.map((row) => ({ nodeKey, row })),
  );
}

/**
 * The rows that nodes `nodeKeys` (reused by a re-run) added to the source run's results
 * table, appended to this run's in their order — one RESULTS event, caps as for any rows
 * (BAD_INPUT when over, and the caller's transaction rolls back).
 */
export async function copyResults(c: RunTx, sourceRunId: string, nodeKeys: string[]): Promise<void> {
  if (nodeKeys.length === 0) return;
  const rows = await c.tx.runResult.findMany({
    where: { runId: sourceRunId, nodeKey: { in: nodeKeys } },
    orderBy: { idx: "asc" },
    select: { nodeKey: true, row: true },
  });
  const over = await appendRows(
    c,
    rows.map((r) => ({ nodeKey: r.nodeKey, row: r.row as Record<string, unknown> })),
  );
  if (over) throw new DomainError("BAD_INPUT", over);
}

async function appendRows(c: RunTx, entries: { nodeKey: string; row: Record<string, unknown> }[]) {
  if (entries.length === 0) return null;
  const rows = entries.map((e) => e.row);
  const sizes = rows.map((r) => jsonBytes(r));
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const columns = mergeColumns((c.run.resultsColumns as string[]) ?? [], rows);
  const over = overResultCaps(c, rows, bytes, columns.length);
  if (over) return over;
  const offset = c.run.resultsCount;
  await c.tx.runResult.createMany({
    data: entries.map((e, i) => ({ runId: c.run.id, idx: offset + i, nodeKey: e.nodeKey, row: e.row as object })),
  });
  c.run = await c.tx.run.update({
    where: { id: c.run.id },
    data: {
      resultsColumns: columns,
      resultsCount: offset + rows.length,
      resultsBytes: c.run.resultsBytes + bytes,
    },
  });
  c.emit("RESULTS", { results: { columns, rows }, offset, total: offset + rows.length });
  return null;
}

/** Like `appendResults`, but a cap is a BAD_INPUT error (the caller's transaction rolls back). */
export async function appendResultsOrThrow(c: RunTx, nodeKey: string, output: unknown, fromOutput: boolean) {
  const over = await appendResults(c, nodeKey, output, fromOutput);
  if (over) {
    const caps = resultCaps();
    throw new DomainError("BAD_INPUT", over, { rowsLimit: caps.rows, bytesLimit: caps.bytes });
  }
}

/** A run's whole results table, rows in emit order, from the append-only store. */
export async function readResults(
  db: Db | RunTx["tx"],
  run: { id: string; resultsColumns: unknown },
): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const rows = await db.runResult.findMany({
    where: { runId: run.id },
    orderBy: { idx: "asc" },
    select: { row: true },
  });
  return {
    columns: (run.resultsColumns as string[]) ?? [],
    rows: rows.map((r) => r.row as Record<string, unknown>),
  };
}

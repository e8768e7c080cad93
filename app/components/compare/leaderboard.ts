/**
 * Run comparison, pure: several runs' results tables merged into one leaderboard with the
 * run as its first column, the best value of each numeric column marked, and the params
 * that differ between the runs. Unit-tested; the page only renders what this returns.
 */

export interface CompareRunResults {
  id: string;
  /** What the run column shows: the run's label, else its short id. */
  name: string;
  results: { columns: string[]; rows: unknown[] };
}

export interface LeaderboardRow {
  runId: string;
  runName: string;
  /** Position of the row in its own run's table (0-based), to tell equal rows apart. */
  index: number;
  cells: Record<string, unknown>;
}

export interface Leaderboard {
  /** Result columns, in the order first seen across the runs (run order, then emit order). */
  columns: string[];
  rows: LeaderboardRow[];
  /** Columns whose every non-empty cell is a number. */
  numeric: Set<string>;
}

export type Direction = "max" | "min";

/** Run column key in sort state; result columns use their own names. */
export const RUN_COLUMN = "\u0000run";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every run's rows in one table; columns united in first-seen order; non-object rows kept as `value`. */
export function mergeLeaderboards(runs: readonly CompareRunResults[]): Leaderboard {
  const columns: string[] = [];
  const seen = new Set<string>();
  const add = (c: string) => {
    if (!seen.has(c)) {
      seen.add(c);
      columns.push(c);
    }
  };
  const rows: LeaderboardRow[] = [];
  for (const run of runs) {
    for (const c of run.results.columns) add(c);
    run.results.rows.forEach((row, index) => {
      const cells = isRecord(row) ? row : { value: row };
      for (const c of Object.keys(cells)) add(c);
      rows.push({ runId: run.id, runName: run.name, index, cells });
    });
  }
  const numeric = new Set(
    columns.filter(
      (c) =>
        rows.some((r) => typeof r.cells[c] === "number") &&
        rows.every((r) => r.cells[c] == null || typeof r.cells[c] === "number"),
    ),
  );
  return { columns, rows, numeric };
}

/**
 * Which way is better for a column: lower for names that read as errors, losses, costs or
 * times (`loss`, `val_error`, `rmse`, `latencyMs`, `cost`, `duration`…), higher otherwise
 * (`score`, `accuracy`, `f1`, `auc`…).
 */
export function betterDirection(column: string): Direction {
  const lower =
    /(loss|error|err_|_err|rmse|mse|mae|mape|latency|cost|duration|seconds|perplexity|regret|rank)/i.test(column) ||
    /(^time|Time|_time|Ms|_ms|_s)$/.test(column);
  return lower ? "min" : "max";
}

/**
 * For each numeric column, the keys (`runId#index`) of the rows holding its best value
 * (ties all marked). Columns where every value is the same mark nothing: there is no best.
 */
export function bestCells(board: Leaderboard, direction = betterDirection): Map<string, Set<string>> {
  const best = new Map<string, Set<string>>();
  for (const c of board.numeric) {
    const values = board.rows.map((r) => r.cells[c]).filter((v): v is number => typeof v === "number");
    const finite = values.filter(Number.isFinite);
    if (finite.length < 2 || finite.every((v) => v === finite[0])) continue;
    const target = direction(c) === "min" ? Math.min(...finite) : Math.max(...finite);
    best.set(c, new Set(board.rows.filter((r) => r.cells[c] === target).map(rowKey)));
  }
  return best;
}

export const rowKey = (r: LeaderboardRow) => `${r.runId}#${r.index}`;

/** Params that are not the same in every run (a key missing from a run counts as different). */
export function paramsDiff(params: readonly Record<string, unknown>[]): { key: string; values: unknown[] }[] {
  const keys: string[] = [];
  for (const p of params) for (const k of Object.keys(p)) if (!keys.includes(k)) keys.push(k);
  return keys
    .map((key) => ({ key, values: params.map((p) => p[key]) }))
    .filter(({ values }) => new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1);
}

/** `?runs=a,b,c` → distinct, non-empty ids in order, at most `max`. */
export function parseRunIds(param: string | string[] | undefined, max: number): string[] {
  const raw = (Array.isArray(param) ? param.join(",") : (param ?? "")).split(",").map((s) => s.trim());
  return [...new Set(raw.filter(Boolean))].slice(0, max);
}

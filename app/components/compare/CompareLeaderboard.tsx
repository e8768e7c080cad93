"use client";

import { useMemo, useState } from "react";
import { compareCells, formatCell } from "../run/format";
import { SortableHeader } from "../ui/SortableHeader";
import { bestCells, betterDirection, type Leaderboard, RUN_COLUMN, rowKey } from "./leaderboard";

type Sort = { column: string; dir: "asc" | "desc" } | null;

/**
 * The merged leaderboard: the run as the first column, then every result column; click a
 * header to sort (numbers numerically, empty cells last), the best value per numeric column
 * marked ★ (and said in text for screen readers). Cells formatted as the run page's results.
 */
export function CompareLeaderboard({ board }: { board: Leaderboard }) {
  const [sort, setSort] = useState<Sort>(null);
  const best = useMemo(() => bestCells(board), [board]);
  const sorted = useMemo(() => {
    if (!sort) return board.rows;
    const sign = sort.dir === "asc" ? 1 : -1;
    const value = (r: (typeof board.rows)[number]) => (sort.column === RUN_COLUMN ? r.runName : r.cells[sort.column]);
    return [...board.rows].sort((a, b) => {
      const ea = value(a) == null;
      const eb = value(b) == null;
      if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
      return sign * compareCells(value(a), value(b));
    });
  }, [board, sort]);

  if (board.rows.length === 0) {
    return <p className="px-4 pb-4 text-sm text-slate-600 dark:text-slate-400">None of these runs has results yet.</p>;
  }

  const toggle = (column: string) =>
    setSort((s) =>
      s?.column === column
        ? { column, dir: s.dir === "asc" ? "desc" : "asc" }
        : { column, dir: board.numeric.has(column) && betterDirection(column) === "max" ? "desc" : "asc" },
    );
  const header = (column: string, text: string, numeric: boolean) => (
    <SortableHeader
      key={column}
      label={text}
      dir={sort?.column === column ? sort.dir : null}
      numeric={numeric}
      onToggle={() => toggle(column)}
    />
  );

  return (
    <div className="max-h-[70vh] overflow-auto">
      <table className="min-w-full border-separate border-spacing-0 text-sm" data-testid="compare-leaderboard">
        <thead className="sticky top-0 z-10 bg-slate-50 dark:bg-slate-900">
          <tr>
            {header(RUN_COLUMN, "run", false)}
            {board.columns.map((c) => header(c, c, board.numeric.has(c)))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => {
            const key = rowKey(r);
            return (
              <tr key={key} data-run={r.runId} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                <td
                  data-column="run"
                  className="border-b border-slate-100 px-3 py-1.5 whitespace-nowrap font-medium dark:border-slate-800"
                >
                  {r.runName}
                </td>
                {board.columns.map((c) => {
                  const v = r.cells[c];
                  const isBest = best.get(c)?.has(key) ?? false;
                  const numeric = typeof v === "number" || board.numeric.has(c);
                  return (
                    <td
                      key={c}
                      data-column={c}
                      data-best={isBest || undefined}
                      className={`border-b border-slate-100 px-3 py-1.5 dark:border-slate-800 ${numeric ? "text-right font-mono tabular-nums" : "text-left"} ${
                        isBest
                          ? "bg-emerald-100 font-semibold text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100"
                          : ""
                      }`}
                    >
                      {isBest && (
                        <>
                          <span aria-hidden>★ </span>
                          <span className="sr-only">best: </span>
                        </>
                      )}
                      {formatCell(v)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

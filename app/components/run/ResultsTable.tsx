"use client";

import { memo, useMemo, useState } from "react";
import { SortableHeader } from "../ui/SortableHeader";
import { compareCells, formatCell } from "./format";
import type { ResultsTable as Table } from "./types";

type Sort = { column: string; dir: "asc" | "desc" } | null;

const isNumericColumn = (rows: Record<string, unknown>[], c: string) =>
  rows.some((r) => typeof r[c] === "number") && rows.every((r) => r[c] == null || typeof r[c] === "number");

/**
 * The run's results leaderboard: any JSON table, columns in the order they were emitted,
 * click a header to sort (numbers numerically, strings lexically; click again to flip).
 */
function ResultsTableView({ results }: { results: Table }) {
  const [sort, setSort] = useState<Sort>(null);
  const rows = results.rows as Record<string, unknown>[];
  const numeric = useMemo(
    () => new Set(results.columns.filter((c) => isNumericColumn(rows, c))),
    [results.columns, rows],
  );
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const sign = sort.dir === "asc" ? 1 : -1;
    return [...rows].sort((a, b) => {
      const ea = a[sort.column] == null;
      const eb = b[sort.column] == null;
      if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1; // empty cells last either way
      return sign * compareCells(a[sort.column], b[sort.column]);
    });
  }, [rows, sort]);

  if (rows.length === 0) {
    return (
      <p className="p-6 text-sm text-slate-500 dark:text-slate-400">
        No results yet. Nodes marked <code className="font-mono">results: true</code> and{" "}
        <code className="font-mono">::result</code> lines fill this table.
      </p>
    );
  }

  const toggle = (column: string) =>
    setSort((s) =>
      s?.column === column
        ? { column, dir: s.dir === "asc" ? "desc" : "asc" }
        : { column, dir: numeric.has(column) ? "desc" : "asc" },
    );

  return (
    <div className="h-full overflow-auto">
      <table className="min-w-full border-separate border-spacing-0 text-sm" data-testid="results-table">
        <thead className="sticky top-0 bg-slate-50 dark:bg-slate-900">
          <tr>
            <th className="w-10 border-b border-slate-200 px-3 py-2 text-right text-xs font-medium text-slate-500 dark:text-slate-400 dark:border-slate-800">
              #
            </th>
            {results.columns.map((c) => (
              <SortableHeader
                key={c}
                label={c}
                dir={sort?.column === c ? sort.dir : null}
                numeric={numeric.has(c)}
                onToggle={() => toggle(c)}
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            // Rows have no identity of their own; position in the sorted view is the key.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <tr key={i} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
              <td className="border-b border-slate-100 px-3 py-1.5 text-right text-xs text-slate-500 dark:text-slate-400 tabular-nums dark:border-slate-800">
                {i + 1}
              </td>
              {results.columns.map((c) => {
                const v = r[c];
                const isNum = typeof v === "number";
                return (
                  <td
                    key={c}
                    data-column={c}
                    className={`border-b border-slate-100 px-3 py-1.5 dark:border-slate-800 ${
                      isNum || numeric.has(c) ? "text-right font-mono tabular-nums" : "text-left"
                    }`}
                  >
                    {formatCell(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const ResultsTable = memo(ResultsTableView);

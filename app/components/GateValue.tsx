"use client";

import { useMemo, useState } from "react";
import { tableOf } from "./gate-table";
import { JsonView } from "./JsonView";
import { formatCell } from "./run/format";

const toggle = (on: boolean) =>
  `rounded px-2 py-0.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
    on
      ? "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white"
      : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
  }`;

/**
 * What a gate presents. An array of objects reads as a table (columns from the keys,
 * numbers formatted and aligned as in the results table), with the JSON one click away;
 * any other value is shown as JSON.
 */
export function GateValue({ value, label, className = "" }: { value: unknown; label: string; className?: string }) {
  const table = useMemo(() => tableOf(value), [value]);
  const [view, setView] = useState<"table" | "json">("table");
  if (!table) return <JsonView value={value} label={label} className={className} />;
  const numeric = new Set(
    table.columns.filter((c) => table.rows.every((r) => r[c] == null || typeof r[c] === "number")),
  );
  return (
    <div className="space-y-1.5">
      <div className="flex items-center justify-between gap-2">
        <span className="text-xs text-slate-600 dark:text-slate-400">
          {table.rows.length} row{table.rows.length === 1 ? "" : "s"}
        </span>
        <fieldset className="inline-flex rounded-md border border-slate-200 bg-slate-100 p-0.5 dark:border-slate-700 dark:bg-slate-800">
          <legend className="sr-only">Show {label} as</legend>
          <button
            type="button"
            aria-pressed={view === "table"}
            onClick={() => setView("table")}
            className={toggle(view === "table")}
          >
            Table
          </button>
          <button
            type="button"
            aria-pressed={view === "json"}
            onClick={() => setView("json")}
            className={toggle(view === "json")}
          >
            JSON
          </button>
        </fieldset>
      </div>
      {view === "json" ? (
        <JsonView value={value} label={label} className={className} />
      ) : (
        <section
          className={`overflow-auto rounded-lg border border-slate-200 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-800 ${className}`}
          aria-label={label}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          tabIndex={0}
        >
          <table className="min-w-full border-separate border-spacing-0 text-xs" data-testid="gate-table">
            <thead className="sticky top-0 bg-slate-50 dark:bg-slate-900">
              <tr>
                {table.columns.map((c) => (
                  <th
                    key={c}
                    scope="col"
                    className={`border-b border-slate-200 px-2.5 py-1.5 font-semibold whitespace-nowrap text-slate-600 dark:border-slate-800 dark:text-slate-300 ${numeric.has(c) ? "text-right" : "text-left"}`}
                  >
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                <tr key={i}>
                  {table.columns.map((c) => (
                    <td
                      key={c}
                      className={`border-b border-slate-100 px-2.5 py-1 dark:border-slate-800 ${numeric.has(c) ? "text-right font-mono tabular-nums" : "text-left"}`}
                    >
                      {formatCell(r[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

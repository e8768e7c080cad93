"use client";

import Link from "next/link";
import { btn } from "../ui/styles";

/**
 * The runs list's selection toolbar: "Compare" opens `/pipelines/<name>/compare?runs=…`
 * for two or more selected runs of one pipeline, and says why it cannot otherwise.
 */
export function CompareBar({ selection, onClear }: { selection: Map<string, string | null>; onClear: () => void }) {
  const pipelines = new Set(selection.values());
  const [pipeline] = pipelines;
  const ready = selection.size >= 2 && pipelines.size === 1 && pipeline != null;
  const why =
    selection.size < 2
      ? "Select two or more runs of one pipeline to compare them."
      : pipelines.size > 1
        ? "These runs are of different pipelines: compare runs of one pipeline."
        : null;
  const href = ready
    ? `/pipelines/${encodeURIComponent(pipeline)}/compare?runs=${[...selection.keys()].join(",")}`
    : "";

  return (
    <section
      aria-label="Selected runs"
      className={`mb-3 flex flex-wrap items-center gap-3 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-950 dark:border-sky-900 dark:bg-sky-950/40 dark:text-sky-100 ${selection.size === 0 ? "hidden" : ""}`}
    >
      <span aria-live="polite" className="font-medium tabular-nums">
        {selection.size} selected
      </span>
      {why && <span className="text-xs">{why}</span>}
      <span className="ml-auto flex gap-2">
        {ready ? (
          <Link href={href} className={btn.primary}>
            Compare {selection.size} runs
          </Link>
        ) : (
          <button type="button" disabled className={btn.primary}>
            Compare
          </button>
        )}
        <button type="button" onClick={onClear} className={btn.secondary}>
          Clear
        </button>
      </span>
    </section>
  );
}

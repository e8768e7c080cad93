"use client";

import { useState } from "react";

/** Children shown before a "show N more" button, per array/object. */
const PAGE = 100;

/**
 * A collapsible, monospace JSON viewer. Objects and arrays deeper than `expandDepth`
 * start collapsed; long ones show the first 100 entries. Text is rendered as text
 * (never as HTML).
 */
export function JsonView({
  value,
  expandDepth = 2,
  className = "",
  label,
}: {
  value: unknown;
  expandDepth?: number;
  className?: string;
  /** Accessible name of the viewer. */
  label?: string;
}) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(JSON.stringify(value, null, 2)).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    });
  };
  return (
    <section
      aria-label={label ?? "JSON value"}
      className={`group relative overflow-auto rounded-lg border border-slate-200 bg-slate-50 p-3 font-mono text-xs leading-5 text-slate-800 dark:border-slate-800 dark:bg-slate-900/60 dark:text-slate-200 ${className}`}
    >
      <button
        type="button"
        onClick={copy}
        className="absolute top-1.5 right-1.5 rounded-md border border-slate-200 bg-white px-1.5 py-0.5 font-sans text-[11px] text-slate-500 opacity-0 transition group-hover:opacity-100 focus-visible:opacity-100 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300"
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <JsonNode value={value} depth={0} expandDepth={expandDepth} />
    </section>
  );
}

function JsonNode({ value, depth, expandDepth }: { value: unknown; depth: number; expandDepth: number }) {
  if (value === null || value === undefined) return <span className="text-slate-500 dark:text-slate-400">null</span>;
  if (typeof value === "string")
    return <span className="break-all text-emerald-700 dark:text-emerald-400">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="text-sky-700 dark:text-sky-400">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="text-violet-700 dark:text-violet-400">{String(value)}</span>;
  if (typeof value !== "object") return <span>{String(value)}</span>;
  return <JsonBranch value={value as object} depth={depth} expandDepth={expandDepth} />;
}

function JsonBranch({ value, depth, expandDepth }: { value: object; depth: number; expandDepth: number }) {
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [open, setOpen] = useState(depth < expandDepth);
  const [limit, setLimit] = useState(PAGE);
  const [l, r] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return <span className="text-slate-500 dark:text-slate-400">{l + r}</span>;
  const summary = isArray
    ? `${entries.length} item${entries.length === 1 ? "" : "s"}`
    : `${entries.length} key${entries.length === 1 ? "" : "s"}`;
  return (
    <span>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="rounded px-0.5 text-slate-500 dark:text-slate-400 hover:bg-slate-200 dark:hover:bg-slate-800"
      >
        <span aria-hidden className="inline-block w-3 text-[10px]">
          {open ? "▾" : "▸"}
        </span>
        {l}
        {!open && <span className="px-1 text-slate-500 dark:text-slate-400">{summary}</span>}
        {!open && r}
      </button>
      {open && (
        <>
          <span className="block border-l border-slate-200 pl-4 dark:border-slate-800">
            {entries.slice(0, limit).map(([k, v]) => (
              <span key={k} className="block">
                {!isArray && <span className="text-slate-600 dark:text-slate-400">{JSON.stringify(k)}: </span>}
                <JsonNode value={v} depth={depth + 1} expandDepth={expandDepth} />
              </span>
            ))}
            {entries.length > limit && (
              <button
                type="button"
                onClick={() => setLimit(limit + PAGE * 10)}
                className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
              >
                … {entries.length - limit} more
              </button>
            )}
          </span>
          <span className="text-slate-500 dark:text-slate-400">{r}</span>
        </>
      )}
    </span>
  );
}

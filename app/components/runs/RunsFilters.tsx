"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { RunTrigger } from "@/app/graphql/generated";
import type { RunStatus } from "@/app/graphql/types";
import { STATUS_TONES } from "../status-tone";
import { btn, control, input } from "../ui/styles";
import { RUN_STATUSES, RUN_TRIGGERS } from "./documents";
import { TRIGGER_LABELS } from "./TriggerBadge";

export interface RunFilterValues {
  status: RunStatus[];
  pipeline: string | null;
  search: string | null;
  trigger: RunTrigger[];
}

/** Filters live in the URL (shareable, back-button friendly); the server page reads them. */
export function RunsFilters({ value, pipelines }: { value: RunFilterValues; pipelines: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [search, setSearch] = useState(value.search ?? "");

  const go = (next: RunFilterValues) => {
    const q = new URLSearchParams();
    if (next.status.length) q.set("status", next.status.join(","));
    if (next.pipeline) q.set("pipeline", next.pipeline);
    if (next.trigger.length) q.set("trigger", next.trigger.join(","));
    if (next.search?.trim()) q.set("q", next.search.trim());
    const qs = q.toString();
    startTransition(() => router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false }));
  };

  // Search as you type, once typing pauses.
  useEffect(() => {
    if ((value.search ?? "") === search.trim()) return;
    const t = setTimeout(() => go({ ...value, search }), 300);
    return () => clearTimeout(t);
  });

  const toggle = (s: RunStatus) =>
    go({
      ...value,
      search,
      status: value.status.includes(s) ? value.status.filter((x) => x !== s) : [...value.status, s],
    });
  const any = value.status.length > 0 || value.pipeline || value.search || value.trigger.length > 0;
  const triggerValue = value.trigger.join(",");

  return (
    <search
      aria-label="Filter runs"
      className="mb-4 flex flex-col gap-3 lg:flex-row lg:items-center"
      aria-busy={pending}
    >
      <div className="relative lg:w-72">
        <svg
          aria-hidden
          viewBox="0 0 20 20"
          className="pointer-events-none absolute top-2 left-2.5 size-4 text-slate-500 dark:text-slate-400"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
        >
          <circle cx="9" cy="9" r="5.5" />
          <path d="m13.5 13.5 3.5 3.5" />
        </svg>
        <input
          type="search"
          aria-label="Search runs by label, pipeline or id"
          placeholder="Search label, pipeline or id"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className={`${input} pl-8`}
        />
      </div>
      <fieldset className="flex flex-wrap gap-1.5">
        <legend className="sr-only">Status</legend>
        {RUN_STATUSES.map((s) => {
          const on = value.status.includes(s);
          return (
            <button
              key={s}
              type="button"
              aria-pressed={on}
              onClick={() => toggle(s)}
              className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset transition focus-visible:outline-2 focus-visible:outline-sky-500 ${
                on
                  ? STATUS_TONES[s].badge
                  : "bg-white text-slate-600 ring-slate-200 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-800"
              }`}
            >
              <span aria-hidden className={`size-1.5 rounded-full ${STATUS_TONES[s].dot}`} />
              {s.toLowerCase()}
            </button>
          );
        })}
      </fieldset>
      <div className="flex items-center gap-2 lg:ml-auto">
        <select
          aria-label="Trigger"
          value={triggerValue}
          onChange={(e) =>
            go({ ...value, search, trigger: e.target.value ? (e.target.value.split(",") as RunTrigger[]) : [] })
          }
          className={`${control} min-w-32 flex-1 lg:flex-none`}
        >
          <option value="">Any trigger</option>
          {RUN_TRIGGERS.map((t) => (
            <option key={t} value={t}>
              {TRIGGER_LABELS[t]}
            </option>
          ))}
          {value.trigger.length > 1 && (
            <option value={triggerValue}>{value.trigger.map((t) => TRIGGER_LABELS[t]).join(" or ")}</option>
          )}
        </select>
        <select
          aria-label="Pipeline"
          value={value.pipeline ?? ""}
          onChange={(e) => go({ ...value, search, pipeline: e.target.value || null })}
          className={`${control} min-w-40 flex-1 lg:flex-none`}
        >
          <option value="">All pipelines</option>
          {pipelines.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        {any && (
          <button
            type="button"
            className={btn.ghost}
            onClick={() => {
              setSearch("");
              go({ status: [], pipeline: null, search: null, trigger: [] });
            }}
          >
            Clear
          </button>
        )}
      </div>
    </search>
  );
}

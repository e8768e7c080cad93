import type { RunTrigger } from "@/app/graphql/generated";

/** What started a run, in words (SPEC §11). */
export const TRIGGER_LABELS: Record<RunTrigger, string> = {
  MANUAL: "manual",
  API: "api",
  SCHEDULE: "schedule",
  RERUN: "re-run",
};

/** Text ≥ 4.5:1 on its fill in both themes (700 on 50 light, 300 on 950 dark). */
const TONES: Record<RunTrigger, string> = {
  MANUAL: "bg-slate-50 text-slate-700 ring-slate-300 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-600",
  API: "bg-slate-50 text-slate-700 ring-slate-300 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-600",
  SCHEDULE: "bg-teal-50 text-teal-800 ring-teal-300 dark:bg-teal-950 dark:text-teal-300 dark:ring-teal-800",
  RERUN: "bg-indigo-50 text-indigo-700 ring-indigo-300 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-800",
};

/** A small chip naming what started the run. Works in server and client components. */
export function TriggerBadge({ trigger }: { trigger: RunTrigger }) {
  return (
    <span
      data-trigger={trigger}
      title={`Trigger: ${TRIGGER_LABELS[trigger]}`}
      className={`inline-flex items-center whitespace-nowrap rounded px-1.5 py-px font-sans text-[10px] font-medium uppercase tracking-wide ring-1 ring-inset ${TONES[trigger]}`}
    >
      <span className="sr-only">Trigger: </span>
      {TRIGGER_LABELS[trigger]}
    </span>
  );
}

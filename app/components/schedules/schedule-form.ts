import type { CreateScheduleInput, OverlapPolicy, SchedulesQuery } from "@/app/graphql/generated";

/** A schedule as the page shows it (`Schedules` query). */
export type ScheduleRow = SchedulesQuery["schedules"][number];

/** The form's fields as typed (text until submitted). */
export interface ScheduleFormValues {
  name: string;
  pipeline: string;
  /** "" is the latest version at each fire. */
  version: string;
  cron: string;
  timezone: string;
  params: string;
  budget: string;
  overlap: OverlapPolicy;
  catchUp: string;
  enabled: boolean;
}

export type FieldName = keyof ScheduleFormValues;
export type FieldErrors = Partial<Record<FieldName, string>>;

export const OVERLAP_OPTIONS: { value: OverlapPolicy; label: string; help: string }[] = [
  {
    value: "SKIP",
    label: "Skip",
    help: "While a previous run is unfinished, a fire is skipped (recorded as overlap).",
  },
  { value: "QUEUE", label: "Queue", help: "Every fire starts a run, even while earlier ones are unfinished." },
  {
    value: "CANCEL_PREVIOUS",
    label: "Cancel previous",
    help: "A fire cancels the unfinished runs of this schedule, then starts.",
  },
];

/** Common expressions, one click away. */
export const CRON_EXAMPLES: { cron: string; label: string }[] = [
  { cron: "0 * * * *", label: "hourly" },
  { cron: "0 3 * * *", label: "daily 03:00" },
  { cron: "0 9 * * MON-FRI", label: "weekdays 09:00" },
  { cron: "*/30 * * * * *", label: "every 30 s" },
];

export function emptyValues(pipeline = "", timezone = "UTC"): ScheduleFormValues {
  return {
    name: "",
    pipeline,
    version: "",
    cron: "0 3 * * *",
    timezone,
    params: "",
    budget: "",
    overlap: "SKIP",
    catchUp: "1",
    enabled: true,
  };
}

export function valuesOf(s: ScheduleRow): ScheduleFormValues {
  const params = s.params && typeof s.params === "object" && Object.keys(s.params).length ? s.params : null;
  return {
    name: s.name,
    pipeline: s.pipeline,
    version: s.version == null ? "" : String(s.version),
    cron: s.cron,
    timezone: s.timezone,
    params: params ? JSON.stringify(params, null, 2) : "",
    budget: s.budget == null ? "" : String(s.budget),
    overlap: s.overlap,
    catchUp: String(s.catchUp),
    enabled: s.enabled,
  };
}

/**
 * The mutation input for what was typed, or the fields that cannot even be sent (params
 * that are not JSON, a budget that is not a number). Everything else is the server's call:
 * its refusals come back per field (`fieldErrorsOf`).
 */
export function inputOf(v: ScheduleFormValues): { input: CreateScheduleInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  let params: unknown = {};
  if (v.params.trim()) {
    try {
      params = JSON.parse(v.params);
    } catch (e) {
      errors.params = `not valid JSON: ${(e as Error).message}`;
    }
  }
  const budget = v.budget.trim() === "" ? null : Number(v.budget);
  if (budget !== null && !Number.isFinite(budget)) errors.budget = "a number, or empty for no budget";
  const catchUp = Number(v.catchUp.trim() === "" ? "1" : v.catchUp);
  if (!Number.isInteger(catchUp)) errors.catchUp = "a whole number from 0 to 100";
  if (Object.keys(errors).length) return { errors };
  return {
    input: {
      name: v.name.trim(),
      pipeline: v.pipeline,
      version: v.version ? Number(v.version) : null,
      cron: v.cron.trim(),
      timezone: v.timezone.trim(),
      params,
      budget,
      overlap: v.overlap,
      catchUp,
      enabled: v.enabled,
    },
  };
}

const FIELDS = new Set<string>([
  "name",
  "pipeline",
  "version",
  "cron",
  "timezone",
  "params",
  "budget",
  "overlap",
  "catchUp",
  "enabled",
]);

/**
 * A refused create or update as messages at their fields (`extensions.problems`, else
 * `extensions.field`), and what belongs to no field (forbidden, the server unavailable…).
 */
export function fieldErrorsOf(error: {
  message: string;
  graphQLErrors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}): { fields: FieldErrors; other: string | null } {
  const fields: FieldErrors = {};
  const others: string[] = [];
  for (const e of error.graphQLErrors ?? []) {
    const problems = Array.isArray(e.extensions?.problems)
      ? (e.extensions.problems as { path?: unknown; message?: unknown }[])
      : [];
    const placed = problems.filter((p) => typeof p.path === "string" && FIELDS.has(p.path));
    for (const p of placed) fields[p.path as FieldName] ??= String(p.message);
    const field = e.extensions?.field;
    if (!placed.length && typeof field === "string" && FIELDS.has(field)) {
      fields[field as FieldName] ??= e.message.replace(new RegExp(`^${field}: `), "");
    } else if (!placed.length) others.push(e.message);
  }
  if (!error.graphQLErrors?.length) others.push(error.message.replace(/^\[(GraphQL|Network)\]\s*/, ""));
  return { fields, other: others.length ? others.join(" ") : null };
}

/** True when the expression has a seconds field (6 fields): times are then shown to the second. */
export const hasSeconds = (cron: string) => cron.trim().split(/\s+/).length === 6;

/** How a skipped fire reads on the page. */
export function skipReason(skipped: string): string {
  if (skipped === "overlap") return "a previous run was still unfinished";
  if (skipped === "missed while down") return "missed while no server was running";
  return skipped;
}

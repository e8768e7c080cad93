"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, useTransition } from "react";
import { useMutation } from "urql";
import { CreateScheduleDocument, type OverlapPolicy, UpdateScheduleDocument } from "@/app/graphql/generated";
import { btn } from "../ui/styles";
import { DeleteSchedule } from "./DeleteSchedule";
import { FormField } from "./FormField";
import {
  CRON_EXAMPLES,
  emptyValues,
  type FieldErrors,
  type FieldName,
  fieldErrorsOf,
  inputOf,
  OVERLAP_OPTIONS,
  type ScheduleFormValues,
  type ScheduleRow,
  valuesOf,
} from "./schedule-form";
import { useViewerTimeZone } from "./use-viewer-time-zone";

export interface PipelineChoice {
  name: string;
  /** Newest first. */
  versions: number[];
}

/** Fields in the order they are laid out: the first refused one gets the focus. */
const ORDER: FieldName[] = [
  "name",
  "pipeline",
  "version",
  "cron",
  "timezone",
  "overlap",
  "catchUp",
  "params",
  "budget",
];

/**
 * Create or edit a schedule. What the server refuses comes back per field
 * (`extensions.problems` / `extensions.field`) and is shown at that field, which gets the
 * focus; nothing is created or changed then. On success the page is re-read.
 */
export function ScheduleForm({
  schedule,
  pipelines,
  onDone,
}: {
  /** Absent: a new schedule. */
  schedule?: ScheduleRow;
  pipelines: PipelineChoice[];
  onDone: () => void;
}) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const ids = useId();
  // A new schedule starts in the viewer's time zone, known once in the browser.
  const viewerZone = useViewerTimeZone();
  const [values, setValues] = useState<ScheduleFormValues>(() =>
    schedule ? valuesOf(schedule) : emptyValues(pipelines[0]?.name ?? "", ""),
  );
  useEffect(() => {
    if (viewerZone) setValues((v) => (v.timezone ? v : { ...v, timezone: viewerZone }));
  }, [viewerZone]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [other, setOther] = useState<string | null>(null);
  const [{ fetching: creating }, create] = useMutation(CreateScheduleDocument);
  const [{ fetching: updating }, update] = useMutation(UpdateScheduleDocument);
  const form = useRef<HTMLFormElement>(null);
  const zones = useMemo(() => (viewerZone ? Intl.supportedValuesOf("timeZone") : []), [viewerZone]);
  const versions = pipelines.find((p) => p.name === values.pipeline)?.versions ?? [];

  // The first refused field gets the focus.
  useEffect(() => {
    const first = ORDER.find((f) => errors[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [errors]);

  const set = (patch: Partial<ScheduleFormValues>) => {
    setValues((s) => ({ ...s, ...patch }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !(k in patch))));
  };
  const field = (name: FieldName) => ({ id: `${ids}-${name}`, name, error: errors[name] });

  const submit = async () => {
    setOther(null);
    const parsed = inputOf(values);
    if ("errors" in parsed) return setErrors(parsed.errors);
    setErrors({});
    const { enabled, ...changes } = parsed.input;
    const r = schedule
      ? await update({ id: schedule.id, input: changes })
      : await create({ input: { ...changes, enabled } });
    if (r.error) {
      const refused = fieldErrorsOf(r.error);
      setErrors(refused.fields);
      setOther(refused.other);
      return;
    }
    startRefresh(() => router.refresh());
    onDone();
  };

  return (
    <form
      ref={form}
      aria-label={schedule ? `Edit schedule ${schedule.name}` : "New schedule"}
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField {...field("name")} label="Name">
          {(c) => (
            <input
              {...c}
              maxLength={100}
              autoComplete="off"
              placeholder="e.g. nightly report"
              value={values.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          )}
        </FormField>
        <div className="grid grid-cols-[minmax(0,1fr)_8rem] gap-3">
          <FormField {...field("pipeline")} label="Pipeline">
            {(c) => (
              <select {...c} value={values.pipeline} onChange={(e) => set({ pipeline: e.target.value, version: "" })}>
                {!pipelines.some((p) => p.name === values.pipeline) && (
                  <option value={values.pipeline}>{values.pipeline || "—"}</option>
                )}
                {pipelines.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          <FormField {...field("version")} label="Version">
            {(c) => (
              <select {...c} value={values.version} onChange={(e) => set({ version: e.target.value })}>
                <option value="">latest</option>
                {values.version && !versions.includes(Number(values.version)) && (
                  <option value={values.version}>v{values.version}</option>
                )}
                {versions.map((v) => (
                  <option key={v} value={String(v)}>
                    v{v}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        </div>

        <div>
          <FormField
            {...field("cron")}
            label="Cron"
            hint="minute hour day-of-month month day-of-week — or 6 fields with seconds first."
          >
            {(c) => (
              <input
                {...c}
                className={`${c.className} font-mono`}
                spellCheck={false}
                autoComplete="off"
                value={values.cron}
                onChange={(e) => set({ cron: e.target.value })}
              />
            )}
          </FormField>
          <div className="mt-1.5 flex flex-wrap gap-1.5">
            {CRON_EXAMPLES.map((x) => (
              <button
                key={x.cron}
                type="button"
                onClick={() => set({ cron: x.cron })}
                className="rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                <span className="font-mono">{x.cron}</span>{" "}
                <span className="text-slate-600 dark:text-slate-400">{x.label}</span>
              </button>
            ))}
          </div>
        </div>
        <FormField
          {...field("timezone")}
          label="Time zone"
          hint="An IANA name such as Europe/Berlin; the cron is read in it, DST included."
        >
          {(c) => (
            <>
              <input
                {...c}
                list={`${c.id}-zones`}
                spellCheck={false}
                autoComplete="off"
                value={values.timezone}
                onChange={(e) => set({ timezone: e.target.value })}
              />
              <datalist id={`${c.id}-zones`}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </FormField>

        <FormField
          {...field("overlap")}
          label="While a previous run is unfinished"
          hint={OVERLAP_OPTIONS.find((o) => o.value === values.overlap)?.help}
        >
          {(c) => (
            <select {...c} value={values.overlap} onChange={(e) => set({ overlap: e.target.value as OverlapPolicy })}>
              {OVERLAP_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField
          {...field("catchUp")}
          label="Catch up after downtime"
          hint="At most this many missed fires run when a server is back (the latest); the others are recorded as skipped."
        >
          {(c) => (
            <input
              {...c}
              className={`${c.className} tabular-nums sm:w-32`}
              type="number"
              min={0}
              max={100}
              step={1}
              inputMode="numeric"
              value={values.catchUp}
              onChange={(e) => set({ catchUp: e.target.value })}
            />
          )}
        </FormField>

        <FormField {...field("params")} label="Params" note="JSON object, merged over the pipeline's">
          {(c) => (
            <textarea
              {...c}
              className={`${c.className} font-mono text-xs leading-5`}
              rows={3}
              spellCheck={false}
              placeholder='{ "region": "eu" }'
              value={values.params}
              onChange={(e) => set({ params: e.target.value })}
            />
          )}
        </FormField>
        <div>
          <FormField {...field("budget")} label="Budget per run" note="cost units">
            {(c) => (
              <input
                {...c}
                className={`${c.className} tabular-nums sm:w-40`}
                type="number"
                inputMode="decimal"
                min={0}
                step="any"
                placeholder="the pipeline's"
                value={values.budget}
                onChange={(e) => set({ budget: e.target.value })}
              />
            )}
          </FormField>
          {!schedule && (
            <label className="mt-4 flex items-center gap-2 text-sm">
              <input
                name="enabled"
                type="checkbox"
                checked={values.enabled}
                onChange={(e) => set({ enabled: e.target.checked })}
                className="size-4 rounded border-slate-300 accent-sky-600"
              />
              Enabled: start firing now
            </label>
          )}
        </div>
      </div>

      {other && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {other}
        </p>
      )}
      {ORDER.some((f) => errors[f]) && (
        <p role="alert" className="sr-only">
          Fix the fields marked: {ORDER.filter((f) => errors[f]).join(", ")}.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" disabled={creating || updating} className={btn.primary}>
          {creating || updating ? "Saving…" : schedule ? "Save changes" : "Create schedule"}
        </button>
        <button type="button" onClick={onDone} className={btn.secondary}>
          Cancel
        </button>
        {schedule && <DeleteSchedule id={schedule.id} name={schedule.name} onDeleted={onDone} />}
      </div>
    </form>
  );
}

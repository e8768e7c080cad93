"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, useTransition } from "react";
import { useMutation } from "urql";
import {
  CreateScheduleDocument,
  DeleteScheduleDocument,
  type OverlapPolicy,
  UpdateScheduleDocument,
} from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";
import { btn, input, label } from "../ui/styles";
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
  "enabled",
];

const hint = "mt-1 text-xs text-slate-600 dark:text-slate-400";
/** A refused field's border, beside its message (not by colour alone: the message says it). */
const invalidBorder = "aria-invalid:border-rose-600 dark:aria-invalid:border-rose-400";
const fieldError = "mt-1 text-xs font-medium text-rose-700 dark:text-rose-300";

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
  const busy = creating || updating;

  // The first refused field gets the focus (and is scrolled into view).
  useEffect(() => {
    const first = ORDER.find((f) => errors[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [errors]);

  const set = <K extends FieldName>(k: K, v: ScheduleFormValues[K]) => {
    setValues((s) => ({ ...s, [k]: v }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const id = (f: FieldName) => `${ids}-${f}`;
  const described = (f: FieldName, withHint = true) =>
    [withHint ? `${id(f)}-hint` : "", errors[f] ? `${id(f)}-error` : ""].filter(Boolean).join(" ") || undefined;
  const errorOf = (f: FieldName) =>
    errors[f] ? (
      <p id={`${id(f)}-error`} className={fieldError}>
        {errors[f]}
      </p>
    ) : null;

  const submit = async () => {
    setOther(null);
    const parsed = inputOf(values);
    if ("errors" in parsed) {
      setErrors(parsed.errors);
      return;
    }
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
        <div>
          <label htmlFor={id("name")} className={label}>
            Name
          </label>
          <input
            id={id("name")}
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            placeholder="e.g. nightly report"
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={described("name", false)}
            className={`${input} ${invalidBorder}`}
          />
          {errorOf("name")}
        </div>
        <div className="grid grid-cols-[minmax(0,1fr)_8rem] gap-3">
          <div>
            <label htmlFor={id("pipeline")} className={label}>
              Pipeline
            </label>
            <select
              id={id("pipeline")}
              name="pipeline"
              value={values.pipeline}
              onChange={(e) => {
                set("pipeline", e.target.value);
                set("version", "");
              }}
              aria-invalid={errors.pipeline ? true : undefined}
              aria-describedby={described("pipeline", false)}
              className={`${input} ${invalidBorder}`}
            >
              {!pipelines.some((p) => p.name === values.pipeline) && (
                <option value={values.pipeline}>{values.pipeline || "—"}</option>
              )}
              {pipelines.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
            {errorOf("pipeline")}
          </div>
          <div>
            <label htmlFor={id("version")} className={label}>
              Version
            </label>
            <select
              id={id("version")}
              name="version"
              value={values.version}
              onChange={(e) => set("version", e.target.value)}
              aria-invalid={errors.version ? true : undefined}
              aria-describedby={described("version", false)}
              className={`${input} ${invalidBorder}`}
            >
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
            {errorOf("version")}
          </div>
        </div>

        <div>
          <label htmlFor={id("cron")} className={label}>
            Cron
          </label>
          <input
            id={id("cron")}
            name="cron"
            required
            spellCheck={false}
            autoComplete="off"
            value={values.cron}
            onChange={(e) => set("cron", e.target.value)}
            aria-invalid={errors.cron ? true : undefined}
            aria-describedby={described("cron")}
            className={`${input} ${invalidBorder} font-mono`}
          />
          {errorOf("cron")}
          <p id={`${id("cron")}-hint`} className={hint}>
            minute hour day-of-month month day-of-week — or 6 fields with seconds first.
          </p>
          <div className="mt-1.5 flex flex-wrap gap-1.5">
            {CRON_EXAMPLES.map((x) => (
              <button
                key={x.cron}
                type="button"
                onClick={() => set("cron", x.cron)}
                className="rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                <span className="font-mono">{x.cron}</span>{" "}
                <span className="text-slate-600 dark:text-slate-400">{x.label}</span>
              </button>
            ))}
          </div>
        </div>
        <div>
          <label htmlFor={id("timezone")} className={label}>
            Time zone
          </label>
          <input
            id={id("timezone")}
            name="timezone"
            required
            list={`${id("timezone")}-zones`}
            spellCheck={false}
            autoComplete="off"
            value={values.timezone}
            onChange={(e) => set("timezone", e.target.value)}
            aria-invalid={errors.timezone ? true : undefined}
            aria-describedby={described("timezone")}
            className={`${input} ${invalidBorder}`}
          />
          <datalist id={`${id("timezone")}-zones`}>
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {errorOf("timezone")}
          <p id={`${id("timezone")}-hint`} className={hint}>
            An IANA name such as Europe/Berlin; the cron is read in it, DST included.
          </p>
        </div>

        <div>
          <label htmlFor={id("overlap")} className={label}>
            While a previous run is unfinished
          </label>
          <select
            id={id("overlap")}
            name="overlap"
            value={values.overlap}
            onChange={(e) => set("overlap", e.target.value as OverlapPolicy)}
            aria-describedby={described("overlap")}
            className={`${input} ${invalidBorder}`}
          >
            {OVERLAP_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <p id={`${id("overlap")}-hint`} className={hint}>
            {OVERLAP_OPTIONS.find((o) => o.value === values.overlap)?.help}
          </p>
        </div>
        <div>
          <label htmlFor={id("catchUp")} className={label}>
            Catch up after downtime
          </label>
          <input
            id={id("catchUp")}
            name="catchUp"
            type="number"
            min={0}
            max={100}
            step={1}
            inputMode="numeric"
            value={values.catchUp}
            onChange={(e) => set("catchUp", e.target.value)}
            aria-invalid={errors.catchUp ? true : undefined}
            aria-describedby={described("catchUp")}
            className={`${input} ${invalidBorder} tabular-nums sm:w-32`}
          />
          {errorOf("catchUp")}
          <p id={`${id("catchUp")}-hint`} className={hint}>
            At most this many missed fires run when a server is back (the latest); the others are recorded as skipped.
          </p>
        </div>

        <div>
          <label htmlFor={id("params")} className={label}>
            Params <span className="font-normal">(JSON object, merged over the pipeline&apos;s)</span>
          </label>
          <textarea
            id={id("params")}
            name="params"
            rows={3}
            spellCheck={false}
            placeholder='{ "region": "eu" }'
            value={values.params}
            onChange={(e) => set("params", e.target.value)}
            aria-invalid={errors.params ? true : undefined}
            aria-describedby={described("params", false)}
            className={`${input} ${invalidBorder} font-mono text-xs leading-5`}
          />
          {errorOf("params")}
        </div>
        <div>
          <label htmlFor={id("budget")} className={label}>
            Budget per run <span className="font-normal">(cost units)</span>
          </label>
          <input
            id={id("budget")}
            name="budget"
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            placeholder="the pipeline's"
            value={values.budget}
            onChange={(e) => set("budget", e.target.value)}
            aria-invalid={errors.budget ? true : undefined}
            aria-describedby={described("budget", false)}
            className={`${input} ${invalidBorder} tabular-nums sm:w-40`}
          />
          {errorOf("budget")}
          {!schedule && (
            <label className="mt-4 flex items-center gap-2 text-sm">
              <input
                name="enabled"
                type="checkbox"
                checked={values.enabled}
                onChange={(e) => set("enabled", e.target.checked)}
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
      {Object.values(errors).some(Boolean) && (
        <p role="alert" className="sr-only">
          Fix the fields marked above: {ORDER.filter((f) => errors[f]).join(", ")}.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" disabled={busy} className={btn.primary}>
          {busy ? "Saving…" : schedule ? "Save changes" : "Create schedule"}
        </button>
        <button type="button" onClick={onDone} className={btn.secondary}>
          Cancel
        </button>
        {schedule && <DeleteSchedule id={schedule.id} name={schedule.name} onDeleted={onDone} />}
      </div>
    </form>
  );
}

/** Delete, after a second click: the schedule and its fire records go; its runs stay. */
function DeleteSchedule({ id, name, onDeleted }: { id: string; name: string; onDeleted: () => void }) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, remove] = useMutation(DeleteScheduleDocument);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)} className={`${btn.ghost} sm:ml-auto`}>
        Delete…
      </button>
    );
  return (
    <span className="flex flex-wrap items-center gap-2 sm:ml-auto">
      <span className="text-sm text-slate-700 dark:text-slate-300">Delete {name}? Its runs stay.</span>
      <button
        type="button"
        disabled={fetching}
        className={btn.danger}
        onClick={async () => {
          const r = await remove({ id });
          if (r.error) return setError(errorMessage(r.error));
          startRefresh(() => router.refresh());
          onDeleted();
        }}
      >
        Delete schedule
      </button>
      <button type="button" onClick={() => setConfirming(false)} className={btn.ghost}>
        Keep
      </button>
      {error && (
        <span role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {error}
        </span>
      )}
    </span>
  );
}

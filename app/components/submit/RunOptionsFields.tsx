"use client";

import { input, label } from "../ui/styles";

export interface RunOptions {
  params: string;
  budget: string;
  label: string;
}

export const EMPTY_OPTIONS: RunOptions = { params: "", budget: "", label: "" };

/** Params (JSON), budget and label: what every way of starting a run asks for. */
export function RunOptionsFields({
  idPrefix,
  value,
  onChange,
  errors,
  paramsPlaceholder = '{ "day": "2026-11-21" }',
  budgetPlaceholder = "spec's budget",
}: {
  idPrefix: string;
  value: RunOptions;
  onChange: (v: RunOptions) => void;
  errors: { params?: string; budget?: string };
  paramsPlaceholder?: string;
  budgetPlaceholder?: string;
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <label htmlFor={`${idPrefix}-params`} className={label}>
          Params{" "}
          <span className="font-normal text-slate-500 dark:text-slate-400">
            (JSON object, merged over the spec's params)
          </span>
        </label>
        <textarea
          id={`${idPrefix}-params`}
          rows={4}
          spellCheck={false}
          value={value.params}
          onChange={(e) => onChange({ ...value, params: e.target.value })}
          placeholder={paramsPlaceholder}
          aria-invalid={errors.params ? true : undefined}
          aria-describedby={errors.params ? `${idPrefix}-params-error` : undefined}
          className={`${input} font-mono text-xs leading-5`}
        />
        {errors.params && (
          <p id={`${idPrefix}-params-error`} className="mt-1 text-xs text-rose-600 dark:text-rose-400">
            {errors.params}
          </p>
        )}
      </div>
      <div>
        <label htmlFor={`${idPrefix}-budget`} className={label}>
          Budget <span className="font-normal text-slate-500 dark:text-slate-400">(cost units)</span>
        </label>
        <input
          id={`${idPrefix}-budget`}
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={value.budget}
          onChange={(e) => onChange({ ...value, budget: e.target.value })}
          placeholder={budgetPlaceholder}
          aria-invalid={errors.budget ? true : undefined}
          className={`${input} tabular-nums`}
        />
        {errors.budget && <p className="mt-1 text-xs text-rose-600 dark:text-rose-400">{errors.budget}</p>}
      </div>
      <div>
        <label htmlFor={`${idPrefix}-label`} className={label}>
          Label <span className="font-normal text-slate-500 dark:text-slate-400">(optional)</span>
        </label>
        <input
          id={`${idPrefix}-label`}
          value={value.label}
          maxLength={200}
          onChange={(e) => onChange({ ...value, label: e.target.value })}
          placeholder="e.g. nightly backfill"
          className={input}
        />
      </div>
    </div>
  );
}

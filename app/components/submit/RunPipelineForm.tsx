"use client";

import { useState } from "react";
import { btn, input, label } from "../ui/styles";
import { EMPTY_OPTIONS, type RunOptions, RunOptionsFields } from "./RunOptionsFields";
import { parseBudget, parseParams, useSubmitRun } from "./use-submit-run";

export interface PipelineChoice {
  name: string;
  /** Newest first. */
  versions: number[];
}

/**
 * Start a run of a registered pipeline version. With `choices`, the pipeline and version
 * are picked here; otherwise the form runs exactly `name` v`version`.
 */
export function RunPipelineForm({
  choices,
  name: fixedName,
  version: fixedVersion,
  idPrefix = "run",
}: {
  choices?: PipelineChoice[];
  name?: string;
  version?: number;
  idPrefix?: string;
}) {
  const [name, setName] = useState(fixedName ?? choices?.[0]?.name ?? "");
  const versions = choices?.find((c) => c.name === name)?.versions ?? [];
  const [version, setVersion] = useState<number | "latest">(fixedVersion ?? "latest");
  const [options, setOptions] = useState<RunOptions>(EMPTY_OPTIONS);
  const [errors, setErrors] = useState<{ params?: string; budget?: string }>({});
  const { submit, busy, failure } = useSubmitRun();

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const params = parseParams(options.params);
    const budget = parseBudget(options.budget);
    setErrors({ params: params.ok ? undefined : params.message, budget: budget.ok ? undefined : budget.message });
    if (!params.ok || !budget.ok || !name) return;
    void submit({
      pipeline: name,
      version: version === "latest" ? undefined : version,
      params: params.value,
      budget: budget.value,
      label: options.label.trim() || undefined,
    });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={`Run ${name}`}>
      {choices && (
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <label htmlFor={`${idPrefix}-pipeline`} className={label}>
              Pipeline
            </label>
            <select
              id={`${idPrefix}-pipeline`}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setVersion("latest");
              }}
              className={input}
            >
              {choices.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${idPrefix}-version`} className={label}>
              Version
            </label>
            <select
              id={`${idPrefix}-version`}
              value={String(version)}
              onChange={(e) => setVersion(e.target.value === "latest" ? "latest" : Number(e.target.value))}
              className={input}
            >
              <option value="latest">latest (v{versions[0] ?? "?"})</option>
              {versions.map((v) => (
                <option key={v} value={v}>
                  v{v}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <RunOptionsFields idPrefix={idPrefix} value={options} onChange={setOptions} errors={errors} />
      {failure && (
        <p
          role="alert"
          className="rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-300"
        >
          {failure.message}
          {failure.problems?.map((p) => (
            <span key={p.path + p.message} className="mt-1 block font-mono text-xs">
              {p.path}: {p.message}
            </span>
          ))}
        </p>
      )}
      <div className="flex justify-end">
        <button type="submit" disabled={busy || !name} className={btn.primary}>
          {busy ? "Starting…" : fixedVersion ? `Run v${fixedVersion}` : "Start run"}
        </button>
      </div>
    </form>
  );
}

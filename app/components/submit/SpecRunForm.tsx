"use client";

import { useMemo, useRef, useState } from "react";
import { btn, control, label } from "../ui/styles";
import { ProblemList } from "./ProblemList";
import { EMPTY_OPTIONS, type RunOptions, RunOptionsFields } from "./RunOptionsFields";
import { SpecEditor, type SpecEditorHandle } from "./SpecEditor";
import { locateProblems } from "./spec-problems";
import { parseBudget, parseParams, useSubmitRun } from "./use-submit-run";

export interface SpecTemplate {
  name: string;
  text: string;
}

/** Limit for the file picker; the server enforces the real one (SPEC: 1 MiB). */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Start a run from a pasted or uploaded JSON/YAML spec. The server validates it; an
 * INVALID_SPEC answer lists every problem by path, mapped to the line it points at.
 */
export function SpecRunForm({ templates, initialText = "" }: { templates: SpecTemplate[]; initialText?: string }) {
  const [text, setText] = useState(initialText);
  const [options, setOptions] = useState<RunOptions>(EMPTY_OPTIONS);
  const [errors, setErrors] = useState<{ params?: string; budget?: string; spec?: string }>({});
  const [checkedText, setCheckedText] = useState("");
  const { submit, busy, failure, clearFailure } = useSubmitRun();
  const editor = useRef<SpecEditorHandle>(null);

  const problems = useMemo(
    () => (failure?.problems ? locateProblems(checkedText, failure.problems) : null),
    [failure, checkedText],
  );

  const load = (t: string) => {
    setText(t);
    clearFailure();
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setErrors({ ...errors, spec: `${file.name} is over 1 MiB.` });
      return;
    }
    setErrors({ ...errors, spec: undefined });
    load(await file.text());
  };

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const params = parseParams(options.params);
    const budget = parseBudget(options.budget);
    const spec = text.trim() ? undefined : "Paste a spec or choose a file.";
    setErrors({ params: params.ok ? undefined : params.message, budget: budget.ok ? undefined : budget.message, spec });
    if (!params.ok || !budget.ok || spec) return;
    setCheckedText(text);
    void submit({ spec: text, params: params.value, budget: budget.value, label: options.label.trim() || undefined });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Run a spec">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <span id="spec-text-label" className={`${label} mb-0`}>
          Spec <span className="font-normal text-slate-500 dark:text-slate-400">(JSON or YAML)</span>
        </span>
        <div className="flex flex-wrap items-center gap-2">
          {templates.length > 0 && (
            <select
              aria-label="Start from a registered pipeline's spec"
              value=""
              onChange={(e) => {
                const t = templates.find((x) => x.name === e.target.value);
                if (t) load(t.text);
              }}
              className={`${control} py-1 text-xs`}
            >
              <option value="">Start from…</option>
              {templates.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
          <label className={`${btn.secondary} cursor-pointer py-1 text-xs`}>
            Upload file
            <input
              type="file"
              accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
              className="sr-only"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          </label>
        </div>
      </div>
      <SpecEditor
        ref={editor}
        id="spec-text"
        value={text}
        onChange={(v) => setText(v)}
        labelledBy="spec-text-label"
        serverProblems={problems && text === checkedText ? problems : null}
        describedBy={problems ? "spec-problems spec-editor-help" : "spec-editor-help"}
      />
      <p id="spec-editor-help" className="-mt-2 text-xs text-slate-600 dark:text-slate-400">
        Problems are marked as you type. Ctrl+Space completes keys and node kinds; Tab leaves the editor.
      </p>
      {errors.spec && <p className="text-xs text-rose-600 dark:text-rose-400">{errors.spec}</p>}
      {problems && <ProblemList id="spec-problems" problems={problems} onGoTo={(l) => editor.current?.goToLine(l)} />}
      <RunOptionsFields idPrefix="spec" value={options} onChange={setOptions} errors={errors} />
      {failure && !problems && (
        <p
          role="alert"
          className="rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-300"
        >
          {failure.message}
        </p>
      )}
      <div className="flex justify-end">
        <button type="submit" disabled={busy} className={btn.primary}>
          {busy ? "Starting…" : "Start run"}
        </button>
      </div>
    </form>
  );
}

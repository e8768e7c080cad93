"use client";

import { useState } from "react";
import { useMutation } from "urql";
import { CancelRunDocument, PauseRunDocument, ResumeRunDocument } from "@/app/graphql/generated";
import { BudgetForm } from "./BudgetForm";
import { BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY } from "./buttons";
import { errorText } from "./mutations";
import type { Cost, RunStatus } from "./types";

const ACTIVE: RunStatus[] = ["QUEUED", "RUNNING", "PAUSED"];

/** Pause / resume / cancel (with confirm) / set budget: the operator's levers on a run. */
export function RunControls({
  runId,
  status,
  cost,
  resumeBlocked,
}: {
  runId: string;
  status: RunStatus;
  cost: Cost;
  resumeBlocked: boolean;
}) {
  const [pause, doPause] = useMutation(PauseRunDocument);
  const [resume, doResume] = useMutation(ResumeRunDocument);
  const [cancel, doCancel] = useMutation(CancelRunDocument);
  const [confirming, setConfirming] = useState(false);
  const [editingBudget, setEditingBudget] = useState(false);
  if (!ACTIVE.includes(status)) return null;
  const busy = pause.fetching || resume.fetching || cancel.fetching;
  const error = errorText(pause.error ?? resume.error ?? cancel.error);

  return (
    <div className="flex flex-col items-start gap-2 sm:items-end">
      <div className="flex flex-wrap items-center gap-2">
        {status === "PAUSED" ? (
          <button
            type="button"
            className={BUTTON_PRIMARY}
            disabled={busy || resumeBlocked}
            title={resumeBlocked ? "Raise the budget first" : undefined}
            onClick={() => doResume({ id: runId })}
          >
            ▶ Resume
          </button>
        ) : (
          <button type="button" className={BUTTON_SECONDARY} disabled={busy} onClick={() => doPause({ id: runId })}>
            ❚❚ Pause
          </button>
        )}
        <button
          type="button"
          className={BUTTON_SECONDARY}
          aria-expanded={editingBudget}
          onClick={() => setEditingBudget((v) => !v)}
        >
          Set budget
        </button>
        {confirming ? (
          <span className="inline-flex items-center gap-2">
            <span className="text-sm text-slate-600 dark:text-slate-300">Cancel this run?</span>
            <button
              type="button"
              className={BUTTON_DANGER}
              disabled={busy}
              onClick={async () => {
                await doCancel({ id: runId });
                setConfirming(false);
              }}
            >
              Yes, cancel
            </button>
            <button type="button" className={BUTTON_SECONDARY} onClick={() => setConfirming(false)}>
              Keep running
            </button>
          </span>
        ) : (
          <button
            type="button"
            className={`${BUTTON_SECONDARY} text-rose-700 dark:text-rose-300`}
            onClick={() => setConfirming(true)}
          >
            ✕ Cancel
          </button>
        )}
      </div>
      {editingBudget && <BudgetForm runId={runId} cost={cost} onDone={() => setEditingBudget(false)} />}
      {error && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}

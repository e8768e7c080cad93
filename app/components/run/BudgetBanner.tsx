"use client";

import { useMutation } from "urql";
import { ResumeRunDocument } from "@/app/graphql/generated";
import { BudgetForm } from "./BudgetForm";
import { BUTTON_PRIMARY } from "./buttons";
import { money } from "./format";
import { errorText } from "./mutations";
import type { Cost } from "./types";

interface Props {
  runId: string;
  cost: Cost;
  blocked: { node: string; cost: number } | null;
  canOperate: boolean;
}

/** Would resuming start the blocked node, or pause again at once? */
export function budgetAllowsResume(cost: Cost, blocked: { node: string; cost: number } | null): boolean {
  if (cost.budget === null) return true;
  return !blocked || cost.budget >= cost.spent + blocked.cost - 1e-9;
}

/** Shown while the run is paused for budget: what stopped it and how to continue. */
export function BudgetBanner({ runId, cost, blocked, canOperate }: Props) {
  const [resume, doResume] = useMutation(ResumeRunDocument);
  const needed = blocked ? cost.spent + blocked.cost : null;
  const enough = budgetAllowsResume(cost, blocked);
  return (
    <section
      role="status"
      data-testid="budget-banner"
      className="mx-4 mt-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 sm:mx-6 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <p className="font-semibold">Paused: the budget is reached.</p>
      <p className="mt-1">
        {blocked ? (
          <>
            <code className="font-mono">{blocked.node}</code> costs {money(blocked.cost)} but only{" "}
            {money(cost.remaining)} of {money(cost.budget)} remains.{" "}
          </>
        ) : (
          <>
            {money(cost.spent)} of {money(cost.budget)} is spent.{" "}
          </>
        )}
        No new node starts until you raise the budget{needed !== null ? ` to at least ${money(needed)}` : ""} and resume
        — or cancel the run.
      </p>
      {canOperate && (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <BudgetForm runId={runId} cost={cost} />
          <button
            type="button"
            className={BUTTON_PRIMARY}
            disabled={!enough || resume.fetching}
            title={enough ? undefined : "Raise the budget first"}
            onClick={() => doResume({ id: runId })}
          >
            ▶ Resume
          </button>
          {resume.error && <span role="alert">{errorText(resume.error)}</span>}
        </div>
      )}
    </section>
  );
}

"use client";

import { useId, useState } from "react";
import { useMutation } from "urql";
import { SetBudgetDocument } from "@/app/graphql/generated";
import { BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT } from "./buttons";
import { errorText } from "./mutations";
import type { Cost } from "./types";

/** Inline form for `setBudget`; suggests a bit more than what is spent. */
export function BudgetForm({ runId, cost, onDone }: { runId: string; cost: Cost; onDone?: () => void }) {
  const id = useId();
  const suggested = cost.budget === null ? "" : String(Math.round(Math.max(cost.budget, cost.spent) * 2 * 100) / 100);
  const [value, setValue] = useState(suggested);
  const [result, setBudget] = useMutation(SetBudgetDocument);
  const parsed = Number(value);
  const invalid = value.trim() === "" || !Number.isFinite(parsed) || parsed < 0;

  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        if (invalid) return;
        const r = await setBudget({ id: runId, budget: parsed });
        if (!r.error) onDone?.();
      }}
    >
      <label htmlFor={id} className="text-sm text-slate-600 dark:text-slate-300">
        Budget
      </label>
      <input
        id={id}
        name="budget"
        type="number"
        min={0}
        step="0.01"
        inputMode="decimal"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className={`${INPUT} h-8 w-28 tabular-nums`}
      />
      <button type="submit" className={BUTTON_PRIMARY} disabled={invalid || result.fetching}>
        Save budget
      </button>
      {onDone && (
        <button type="button" className={BUTTON_SECONDARY} onClick={onDone}>
          Close
        </button>
      )}
      {result.error && (
        <span role="alert" className="w-full text-sm text-rose-600 dark:text-rose-400">
          {errorText(result.error)}
        </span>
      )}
    </form>
  );
}

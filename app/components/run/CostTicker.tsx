import { money } from "./format";
import type { Cost } from "./types";

/** Share of the budget at which the ticker turns amber (SPEC §8 "warning colour near the budget"). */
const BUDGET_WARN = 0.8;

export type BudgetLevel = "ok" | "warn" | "danger" | "unlimited";

function budgetLevel(cost: Cost, blocked: boolean): BudgetLevel {
  if (cost.budget === null) return "unlimited";
  if (blocked || cost.spent >= cost.budget - 1e-9) return "danger";
  return cost.budget > 0 && cost.spent / cost.budget >= BUDGET_WARN ? "warn" : "ok";
}

const TEXT: Record<BudgetLevel, string> = {
  ok: "text-slate-900 dark:text-slate-50",
  unlimited: "text-slate-900 dark:text-slate-50",
  warn: "text-amber-600 dark:text-amber-400",
  danger: "text-rose-600 dark:text-rose-400",
};
const BAR: Record<BudgetLevel, string> = {
  ok: "bg-emerald-500",
  unlimited: "bg-slate-400",
  warn: "bg-amber-500",
  danger: "bg-rose-500",
};

/** Spent / budget / remaining, coloured as the run nears its budget. */
export function CostTicker({ cost, blocked }: { cost: Cost; blocked: boolean }) {
  const level = budgetLevel(cost, blocked);
  const share = cost.budget ? Math.min(1, cost.spent / cost.budget) : 0;
  return (
    <div className="min-w-[180px]" data-testid="cost-ticker" data-level={level}>
      <div className="text-[11px] font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Cost</div>
      <div className={`mt-0.5 flex items-baseline gap-1 tabular-nums ${TEXT[level]}`}>
        <span className="text-lg font-semibold" data-testid="cost-spent">
          {money(cost.spent)}
        </span>
        <span className="text-sm text-slate-500 dark:text-slate-400">/ {money(cost.budget)}</span>
        {cost.remaining !== null && (
          <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{money(cost.remaining)} left</span>
        )}
      </div>
      {cost.budget !== null && (
        <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
          <div
            className={`h-full transition-[width] duration-300 ${BAR[level]}`}
            style={{ width: `${share * 100}%` }}
          />
        </div>
      )}
    </div>
  );
}

import type { LocatedProblem } from "./spec-problems";

/** Validation problems, each with its path; a click jumps to the line when it is known. */
export function ProblemList({
  id,
  problems,
  onGoTo,
}: {
  id: string;
  problems: LocatedProblem[];
  onGoTo?: (line: number) => void;
}) {
  return (
    <div
      id={id}
      role="alert"
      className="rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm dark:border-rose-900 dark:bg-rose-950/40"
    >
      <p className="font-medium text-rose-800 dark:text-rose-300">
        The spec has {problems.length} problem{problems.length === 1 ? "" : "s"}:
      </p>
      <ul className="mt-2 space-y-1" data-testid="spec-problems">
        {problems.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their order
          <li key={i} className="flex flex-wrap items-baseline gap-x-2 text-rose-900 dark:text-rose-200">
            {p.line != null && onGoTo ? (
              <button
                type="button"
                onClick={() => onGoTo(p.line!)}
                className="rounded bg-rose-100 px-1.5 font-mono text-[11px] text-rose-700 hover:bg-rose-200 focus-visible:outline-2 focus-visible:outline-rose-500 dark:bg-rose-900/60 dark:text-rose-200"
              >
                line {p.line}
              </button>
            ) : null}
            {p.path && <code className="font-mono text-xs font-semibold">{p.path}</code>}
            <span>{p.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

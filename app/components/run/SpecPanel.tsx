import { JsonView } from "../JsonView";

/** The exact spec and params this run executes (a snapshot taken at submit). */
export function SpecPanel({ spec, params }: { spec: unknown; params: unknown }) {
  return (
    <div className="grid h-full gap-4 overflow-auto p-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      <section>
        <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Spec</h3>
        <JsonView value={spec} expandDepth={3} label="Run spec" />
      </section>
      <section>
        <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
          Params
        </h3>
        <JsonView value={params} expandDepth={3} label="Run params" />
      </section>
    </div>
  );
}

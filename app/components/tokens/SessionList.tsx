import { EmptyState } from "../ui/EmptyState";
import { type ListContext, TokenList } from "./TokenList";
import type { TokenRow } from "./token-rows";

/** Active sessions in full; ended ones (every logout leaves one) folded away below. */
export function SessionList({ sessions, context }: { sessions: TokenRow[]; context: ListContext }) {
  const active = sessions.filter((s) => s.state === "active");
  const ended = sessions.filter((s) => s.state !== "active");
  return (
    <div className="space-y-3">
      {active.length === 0 ? (
        <EmptyState title="No open browser sessions">Logging in with a token opens one here.</EmptyState>
      ) : (
        <TokenList rows={active} label="Open browser sessions" context={context} />
      )}
      {ended.length > 0 && (
        <details className="group">
          <summary className="inline-flex cursor-pointer select-none items-center gap-1.5 rounded-md px-1 py-0.5 text-sm text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-400 dark:hover:text-white">
            <svg
              aria-hidden
              viewBox="0 0 12 12"
              className="size-3 transition-transform group-open:rotate-90"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.6"
            >
              <path d="M4.5 2.5 8 6l-3.5 3.5" />
            </svg>
            {ended.length} ended session{ended.length === 1 ? "" : "s"}
          </summary>
          <div className="mt-3">
            <TokenList rows={ended} label="Ended browser sessions" context={context} />
          </div>
        </details>
      )}
    </div>
  );
}

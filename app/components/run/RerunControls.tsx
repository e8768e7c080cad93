"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useMutation } from "urql";
import { RerunRunDocument } from "@/app/graphql/generated";
import { BUTTON_PRIMARY, BUTTON_SECONDARY } from "./buttons";
import { errorText } from "./mutations";
import type { RunStatus } from "./types";

/** A run that ended without succeeding can continue from where it failed. */
const RESUMABLE: RunStatus[] = ["FAILED", "CANCELLED"];

/**
 * "Re-run" (everything again) and, for a failed or cancelled run, "Re-run from failure"
 * (what succeeded is reused, the rest runs): both start a new run and open it.
 */
export function RerunControls({ runId, status }: { runId: string; status: RunStatus }) {
  const router = useRouter();
  const [result, rerun] = useMutation(RerunRunDocument);
  const [navigating, startTransition] = useTransition();
  const busy = result.fetching || navigating;
  const go = async (fromFailure: boolean) => {
    const r = await rerun({ id: runId, fromFailure });
    const id = r.data?.rerunRun.id;
    if (id) startTransition(() => router.push(`/runs/${id}`));
  };
  const error = errorText(result.error);
  return (
    <div className="flex flex-col items-start gap-2 sm:items-end">
      <div className="flex flex-wrap items-center gap-2">
        {RESUMABLE.includes(status) && (
          <button
            type="button"
            className={BUTTON_PRIMARY}
            disabled={busy}
            title="A new run that reuses the nodes that succeeded here and runs the rest"
            onClick={() => go(true)}
          >
            <span aria-hidden>↻</span> Re-run from failure
          </button>
        )}
        <button
          type="button"
          className={BUTTON_SECONDARY}
          disabled={busy}
          title="A new run of the same spec and params, every node executed"
          onClick={() => go(false)}
        >
          <span aria-hidden>↻</span> Re-run
        </button>
      </div>
      {busy && (
        <p className="text-sm text-slate-600 dark:text-slate-300" aria-live="polite">
          Starting the re-run…
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}

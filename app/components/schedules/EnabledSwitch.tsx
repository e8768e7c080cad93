"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useMutation } from "urql";
import { SetScheduleEnabledDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";

/**
 * Enable / disable a schedule (GraphQL `setScheduleEnabled`, operators): shown at once,
 * put back if the server refuses; the page is then re-read for its next fire times.
 */
export function EnabledSwitch({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [on, setOn] = useState(enabled);
  const [error, setError] = useState<string | null>(null);
  const [state, save] = useMutation(SetScheduleEnabledDocument);

  const toggle = async () => {
    const next = !on;
    setError(null);
    setOn(next);
    const r = await save({ id, enabled: next });
    if (r.error || !r.data) {
      setOn(!next);
      setError(r.error ? errorMessage(r.error) : "Not saved.");
      return;
    }
    setOn(r.data.setScheduleEnabled.enabled);
    startRefresh(() => router.refresh());
  };

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={`${name}: enabled`}
        disabled={state.fetching || refreshing}
        onClick={() => void toggle()}
        className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full border transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-60 ${
          on
            ? "border-emerald-700 bg-emerald-600 dark:border-emerald-400 dark:bg-emerald-500"
            : "border-slate-400 bg-slate-200 dark:border-slate-500 dark:bg-slate-700"
        }`}
      >
        <span
          aria-hidden
          className={`inline-block size-3.5 rounded-full bg-white shadow transition-transform ${on ? "translate-x-4" : "translate-x-0.5"}`}
        />
      </button>
      <span aria-hidden className="text-xs font-medium text-slate-700 dark:text-slate-300">
        {on ? "Enabled" : "Disabled"}
      </span>
      {error && (
        <span role="alert" className="text-xs text-rose-700 dark:text-rose-300">
          {error}
        </span>
      )}
    </span>
  );
}

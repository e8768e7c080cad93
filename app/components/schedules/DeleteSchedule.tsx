"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useMutation } from "urql";
import { DeleteScheduleDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";
import { btn } from "../ui/styles";

/** Delete, after a second click: the schedule and its fire records go; its runs stay. */
export function DeleteSchedule({ id, name, onDeleted }: { id: string; name: string; onDeleted: () => void }) {
  const router = useRouter();
  const [, startRefresh] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, remove] = useMutation(DeleteScheduleDocument);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)} className={`${btn.ghost} sm:ml-auto`}>
        Delete…
      </button>
    );
  return (
    <span className="flex flex-wrap items-center gap-2 sm:ml-auto">
      <span className="text-sm text-slate-700 dark:text-slate-300">Delete {name}? Its runs stay.</span>
      <button
        type="button"
        disabled={fetching}
        className={btn.danger}
        onClick={async () => {
          const r = await remove({ id });
          if (r.error) return setError(errorMessage(r.error));
          startRefresh(() => router.refresh());
          onDeleted();
        }}
      >
        Delete schedule
      </button>
      <button type="button" onClick={() => setConfirming(false)} className={btn.ghost}>
        Keep
      </button>
      {error && (
        <span role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {error}
        </span>
      )}
    </span>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { useMutation } from "urql";
import { RevokeTokenDocument } from "@/app/graphql/generated";
import { errorMessage } from "../submit/spec-problems";
import { btn } from "../ui/styles";

/** `btn.ghost` in the danger colour (a class list of its own: two text colours would race). */
const REVOKE_BUTTON =
  "inline-flex items-center justify-center gap-1.5 rounded-md px-2 py-1 text-sm font-medium text-rose-700 hover:bg-rose-50 hover:text-rose-800 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-rose-300 dark:hover:bg-rose-950/50 dark:hover:text-rose-200";

/**
 * Revoke, with a confirmation that says what will stop working. Escape or "Keep it" backs
 * out and returns focus to the button. Revoking what this browser is logged in with sends
 * it to /login; otherwise the server's list is re-read.
 */
export function RevokeControl({
  tokenId,
  action,
  question,
  consequence,
  logsMeOut,
  confirming,
  setConfirming,
}: {
  tokenId: string;
  /** "Revoke" or "End session". */
  action: string;
  question: string;
  consequence: string;
  logsMeOut: boolean;
  /** Controlled, so the row can give the confirmation its full width. */
  confirming: boolean;
  setConfirming: (confirming: boolean) => void;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [state, revoke] = useMutation(RevokeTokenDocument);
  const opener = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const back = () => {
    setConfirming(false);
    setError(null);
    requestAnimationFrame(() => opener.current?.focus());
  };

  const confirm = async () => {
    setError(null);
    const r = await revoke({ id: tokenId });
    if (r.error) {
      setError(errorMessage(r.error));
      return;
    }
    if (logsMeOut) window.location.assign("/login");
    else startRefresh(() => router.refresh());
  };

  if (!confirming) {
    return (
      <button ref={opener} type="button" onClick={() => setConfirming(true)} className={REVOKE_BUTTON}>
        {action}
      </button>
    );
  }

  const busy = state.fetching || refreshing;
  return (
    <fieldset
      onKeyDown={(e) => {
        if (e.key === "Escape") back();
      }}
      className="rounded-lg border border-rose-200 bg-rose-50/70 p-3 text-left dark:border-rose-900/70 dark:bg-rose-950/30"
    >
      <legend className="float-left w-full text-sm font-medium text-slate-900 dark:text-slate-100">{question}</legend>
      <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{consequence}</p>
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <button ref={confirmButton} type="button" disabled={busy} onClick={() => void confirm()} className={btn.danger}>
          {busy ? "Revoking…" : `Yes, ${action.toLowerCase()}`}
        </button>
        <button type="button" onClick={back} className={btn.secondary}>
          Keep it
        </button>
      </div>
    </fieldset>
  );
}

"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { DeleteWebhookDocument, UpdateWebhookDocument } from "@/app/graphql/generated";
import { RelativeTime } from "../RelativeTime";
import { errorMessage } from "../submit/spec-problems";
import { btn } from "../ui/styles";
import { DeliveryList } from "./DeliveryList";
import { eventLabel, type WebhookView } from "./documents";

const DELETE_BUTTON =
  "inline-flex items-center justify-center gap-1.5 rounded-md px-2 py-1 text-sm font-medium text-rose-700 hover:bg-rose-50 hover:text-rose-800 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-rose-300 dark:hover:bg-rose-950/50 dark:hover:text-rose-200";

/** One webhook: its URL, events, switch, why it was disabled, its recent deliveries. */
export function WebhookCard({ webhook: w, onDeleted }: { webhook: WebhookView; onDeleted: () => void }) {
  const ids = useId();
  const [update, save] = useMutation(UpdateWebhookDocument);
  const [error, setError] = useState<string | null>(null);
  const [on, setOn] = useState(w.enabled);
  useEffect(() => setOn(w.enabled), [w.enabled]);

  const toggle = async (next: boolean) => {
    setError(null);
    setOn(next); // shown at once; put back if the server refuses
    const r = await save({ id: w.id, input: { enabled: next } });
    if (r.error) {
      setOn(!next);
      setError(errorMessage(r.error));
    }
  };

  return (
    <article
      aria-labelledby={`${ids}-url`}
      data-testid="webhook"
      data-webhook-id={w.id}
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="space-y-3 p-4 sm:p-5">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <h3
              id={`${ids}-url`}
              className="break-all font-mono text-sm font-semibold text-slate-900 dark:text-slate-100"
            >
              {w.url}
            </h3>
            <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">
              Created <RelativeTime iso={w.createdAt} />
              {w.createdBy ? ` by ${w.createdBy}` : ""}
              {w.failureStreak > 0 &&
                ` · ${w.failureStreak} deliver${w.failureStreak === 1 ? "y" : "ies"} in a row gave up`}
            </p>
          </div>
          <div className="flex shrink-0 items-center gap-3">
            <div className="flex items-center gap-2">
              <input
                id={`${ids}-enabled`}
                type="checkbox"
                role="switch"
                aria-checked={on}
                checked={on}
                disabled={update.fetching}
                onChange={(e) => void toggle(e.target.checked)}
                className="h-4 w-4 rounded border-slate-300 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
              />
              <label htmlFor={`${ids}-enabled`} className="text-sm font-medium">
                Enabled
              </label>
            </div>
            <DeleteControl id={w.id} url={w.url} onDeleted={onDeleted} />
          </div>
        </div>

        <ul aria-label="Events" className="flex flex-wrap gap-1.5">
          {w.events.map((e) => (
            <li
              key={e}
              className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-200 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-700"
            >
              {eventLabel(e)}
            </li>
          ))}
        </ul>

        {!on && (
          <p
            data-testid="disabled-reason"
            className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
          >
            {w.disabledReason ?? "Disabled: nothing is sent, and what is pending waits until it is enabled again."}
          </p>
        )}
        {error && (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {error}
          </p>
        )}
      </div>
      <section aria-label={`Deliveries to ${w.url}`} className="border-t border-slate-200 dark:border-slate-800">
        <DeliveryList deliveries={w.deliveries} canRedeliver={on} />
      </section>
    </article>
  );
}

/** Delete with a confirmation; Escape or "Keep it" backs out and returns focus to the button. */
function DeleteControl({ id, url, onDeleted }: { id: string; url: string; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [state, remove] = useMutation(DeleteWebhookDocument);
  const [error, setError] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const back = () => {
    setConfirming(false);
    requestAnimationFrame(() => opener.current?.focus());
  };

  if (!confirming)
    return (
      <button ref={opener} type="button" onClick={() => setConfirming(true)} className={DELETE_BUTTON}>
        Delete
      </button>
    );
  return (
    <fieldset
      onKeyDown={(e) => {
        if (e.key === "Escape") back();
      }}
      className="max-w-xs rounded-lg border border-rose-200 bg-rose-50/70 p-3 text-left dark:border-rose-900/70 dark:bg-rose-950/30"
    >
      <legend className="float-left w-full text-sm font-medium text-slate-900 dark:text-slate-100">
        Delete this webhook?
      </legend>
      <p className="mt-0.5 text-xs text-slate-700 dark:text-slate-300">
        Its deliveries and their log go with it; nothing more is sent to <span className="break-all">{url}</span>.
      </p>
      {error && (
        <p role="alert" className="mt-2 text-sm text-rose-700 dark:text-rose-300">
          {error}
        </p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <button
          ref={confirmButton}
          type="button"
          disabled={state.fetching}
          onClick={async () => {
            setError(null);
            const r = await remove({ id });
            if (r.error) setError(errorMessage(r.error));
            else onDeleted();
          }}
          className={btn.danger}
        >
          {state.fetching ? "Deleting…" : "Yes, delete"}
        </button>
        <button type="button" onClick={back} className={btn.secondary}>
          Keep it
        </button>
      </div>
    </fieldset>
  );
}

"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation } from "urql";
import { HumanDecisionDocument } from "@/app/graphql/generated";
import type { Decision } from "@/app/graphql/types";
import { shortId } from "../format";
import { GateValue } from "../GateValue";
import { Markdown } from "../Markdown";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { errorMessage } from "../submit/spec-problems";
import { btn, card, input, label } from "../ui/styles";
import type { InboxGate } from "./documents";

const PAST: Record<Decision, string> = { APPROVE: "Approved", REJECT: "Rejected", MODIFY: "Modified" };

/** One waiting gate: what it asks, what it shows, and approve / reject / modify in place. */
export function GateCard({ gate, onDecided }: { gate: InboxGate; onDecided: (message: string) => void }) {
  const [feedback, setFeedback] = useState("");
  const [patchOpen, setPatchOpen] = useState(false);
  const [patch, setPatch] = useState(() => JSON.stringify(gate.gate?.presentation ?? null, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [state, decide] = useMutation(HumanDecisionDocument);
  const title = gate.gate?.title ?? gate.key;
  const run = gate.run;
  const runName = run?.label || run?.pipeline || `run ${shortId(gate.runId)}`;

  const send = async (decision: Decision) => {
    setError(null);
    let parsed: unknown;
    if (decision === "MODIFY") {
      try {
        parsed = JSON.parse(patch);
      } catch (e) {
        setError(`The patch is not valid JSON: ${(e as Error).message}`);
        return;
      }
    }
    const r = await decide({
      input: {
        runId: gate.runId,
        nodeKey: gate.key,
        decision,
        feedback: feedback.trim() || undefined,
        patch: decision === "MODIFY" ? parsed : undefined,
        idempotencyKey: `${gate.id}:${gate.attempt}:${decision}`,
      },
    });
    if (r.error) setError(errorMessage(r.error));
    else onDecided(`${PAST[decision]} “${title}” (${runName}).`);
  };

  const ids = `gate-${gate.id}`;
  return (
    <article
      aria-labelledby={`${ids}-title`}
      data-testid="gate-card"
      data-node-key={gate.key}
      className={`${card} p-4 sm:p-5`}
    >
      <header className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <h2 id={`${ids}-title`} className="text-base font-semibold">
            {title}
          </h2>
          <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
            <code className="font-mono">{gate.key}</code> · waiting <RelativeTime iso={gate.startedAt} />
          </p>
        </div>
        <Link
          // A run page is a full server render (snapshot, nodes): fifty rows in view must not
          // render fifty of them ahead of a click.
          prefetch={false}
          href={`/runs/${gate.runId}`}
          className="inline-flex max-w-full items-center gap-2 self-start rounded-md border border-slate-200 px-2 py-1 text-xs hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {run && <StatusBadge status={run.status} size="sm" />}
          <span className="truncate font-medium">{runName}</span>
          <span aria-hidden>→</span>
        </Link>
      </header>
      {gate.gate?.description && (
        <Markdown source={gate.gate.description} className="mt-3 text-slate-700 dark:text-slate-300" />
      )}
      <div className="mt-3">
        <p className={label}>Presented value</p>
        <GateValue value={gate.gate?.presentation ?? null} label={`Value presented by ${title}`} className="max-h-72" />
      </div>
      <form className="mt-4 space-y-3" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor={`${ids}-feedback`} className={label}>
            Feedback{" "}
            <span className="font-normal text-slate-500 dark:text-slate-400">
              (optional; recorded with the decision)
            </span>
          </label>
          <textarea
            id={`${ids}-feedback`}
            rows={2}
            value={feedback}
            onChange={(e) => setFeedback(e.target.value)}
            className={input}
          />
        </div>
        {patchOpen && (
          <div>
            <label htmlFor={`${ids}-patch`} className={label}>
              Patch{" "}
              <span className="font-normal text-slate-500 dark:text-slate-400">(JSON: becomes the gate's output)</span>
            </label>
            <textarea
              id={`${ids}-patch`}
              rows={6}
              spellCheck={false}
              value={patch}
              onChange={(e) => setPatch(e.target.value)}
              className={`${input} font-mono text-xs leading-5`}
            />
          </div>
        )}
        {error && (
          <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          <button type="button" disabled={state.fetching} onClick={() => void send("APPROVE")} className={btn.approve}>
            Approve
          </button>
          <button type="button" disabled={state.fetching} onClick={() => void send("REJECT")} className={btn.danger}>
            Reject
          </button>
          {patchOpen ? (
            <button
              type="button"
              disabled={state.fetching}
              onClick={() => void send("MODIFY")}
              className={btn.secondary}
            >
              Submit modification
            </button>
          ) : (
            <button type="button" onClick={() => setPatchOpen(true)} className={btn.secondary}>
              Modify…
            </button>
          )}
        </div>
      </form>
    </article>
  );
}

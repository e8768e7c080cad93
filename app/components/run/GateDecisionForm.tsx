"use client";

import { useId, useState } from "react";
import { useMutation } from "urql";
import { HumanDecisionDocument } from "@/app/graphql/generated";
import { GateValue } from "../GateValue";
import { JsonView } from "../JsonView";
import { BUTTON_DANGER, BUTTON_SECONDARY, BUTTON_SUCCESS, INPUT } from "./buttons";
import { errorText } from "./mutations";
import type { Decision, GateDecisionView, NodeView } from "./types";

/** A JSON patch as typed: the parsed value, or why it is not JSON. */
function parsePatch(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: false, error: "Enter the JSON value the gate should output." };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * Approve, reject or modify a waiting gate. One idempotency key per form: a retried
 * submit (double click, flaky network) records the decision once.
 */
export function GateDecisionForm({ runId, node, canDecide }: { runId: string; node: NodeView; canDecide: boolean }) {
  const ids = useId();
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [feedback, setFeedback] = useState("");
  const [modifying, setModifying] = useState(false);
  const [patchText, setPatchText] = useState(() => JSON.stringify(node.gate?.presentation ?? null, null, 2));
  const [result, decide] = useMutation(HumanDecisionDocument);
  const gate = node.gate;
  const decision = gate?.decision ?? (result.data?.humanDecision?.gate?.decision as GateDecisionView | undefined);
  const patch = parsePatch(patchText);

  const submit = (d: Decision) => {
    if (d === "MODIFY" && !patch.ok) return;
    void decide({
      input: {
        runId,
        nodeKey: node.key,
        decision: d,
        feedback: feedback.trim() || null,
        ...(d === "MODIFY" && patch.ok ? { patch: patch.value } : {}),
        idempotencyKey,
      },
    });
  };

  return (
    <section aria-label="Gate" className="space-y-3" data-testid="gate-panel">
      <div>
        <h3 className="text-sm font-semibold text-violet-800 dark:text-violet-200">{gate?.title ?? "Decision"}</h3>
        {gate?.description && (
          <p className="mt-1 whitespace-pre-wrap text-sm text-slate-600 dark:text-slate-300">{gate.description}</p>
        )}
      </div>
      {gate && <GateValue value={gate.presentation} label="What the gate presents" className="max-h-64" />}
      {decision ? (
        <DecisionRecord decision={decision} />
      ) : node.status !== "WAITING" ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">The gate opens when its inputs are ready.</p>
      ) : !canDecide ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">An operator can decide this gate.</p>
      ) : (
        <div className="space-y-3 rounded-lg border border-violet-200 bg-violet-50/60 p-3 dark:border-violet-800 dark:bg-violet-950/40">
          <div>
            <label htmlFor={`${ids}-feedback`} className="text-xs font-medium text-slate-600 dark:text-slate-300">
              Feedback (recorded with the decision; a reject's reason)
            </label>
            <textarea
              id={`${ids}-feedback`}
              value={feedback}
              onChange={(e) => setFeedback(e.target.value)}
              rows={2}
              className={`${INPUT} mt-1 w-full py-1.5`}
            />
          </div>
          {modifying && (
            <div>
              <label htmlFor={`${ids}-patch`} className="text-xs font-medium text-slate-600 dark:text-slate-300">
                Output patch (JSON): replaces what the gate outputs
              </label>
              <textarea
                id={`${ids}-patch`}
                value={patchText}
                onChange={(e) => setPatchText(e.target.value)}
                rows={6}
                spellCheck={false}
                aria-invalid={!patch.ok}
                aria-describedby={`${ids}-patch-error`}
                className={`${INPUT} mt-1 w-full py-1.5 font-mono text-xs ${patch.ok ? "" : "border-rose-400"}`}
              />
              {!patch.ok && (
                <p id={`${ids}-patch-error`} className="mt-1 text-xs text-rose-600 dark:text-rose-400">
                  {patch.error}
                </p>
              )}
            </div>
          )}
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              className={BUTTON_SUCCESS}
              disabled={result.fetching}
              onClick={() => submit("APPROVE")}
            >
              Approve
            </button>
            <button type="button" className={BUTTON_DANGER} disabled={result.fetching} onClick={() => submit("REJECT")}>
              Reject
            </button>
            {modifying ? (
              <button
                type="button"
                className={BUTTON_SECONDARY}
                disabled={result.fetching || !patch.ok}
                onClick={() => submit("MODIFY")}
              >
                Submit modification
              </button>
            ) : (
              <button type="button" className={BUTTON_SECONDARY} onClick={() => setModifying(true)}>
                Modify…
              </button>
            )}
          </div>
          {result.error && (
            <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
              {errorText(result.error)}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

const DECISION_TONE: Record<Decision, string> = {
  APPROVE: "text-emerald-700 dark:text-emerald-300",
  REJECT: "text-rose-700 dark:text-rose-300",
  MODIFY: "text-sky-700 dark:text-sky-300",
};

function DecisionRecord({ decision }: { decision: GateDecisionView }) {
  return (
    <div
      className="space-y-2 rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-700"
      data-testid="gate-decision"
      data-decision={decision.decision}
    >
      <p>
        <span className={`font-semibold ${DECISION_TONE[decision.decision]}`}>{decision.decision}</span>
        <span className="text-slate-500 dark:text-slate-400">
          {" "}
          by {decision.decidedBy} at {new Date(decision.decidedAt).toLocaleString()}
        </span>
      </p>
      {decision.feedback && (
        <p className="whitespace-pre-wrap text-slate-700 dark:text-slate-200">“{decision.feedback}”</p>
      )}
      {decision.decision === "MODIFY" && <JsonView value={decision.patch} label="Patch" />}
    </div>
  );
}

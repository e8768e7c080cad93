"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "urql";
import { SubmitRunDocument } from "@/app/graphql/generated";
import type { SubmitRunInput } from "./documents";
import { errorMessage, type SpecProblem, specProblemsOf } from "./spec-problems";

export interface SubmitFailure {
  message: string;
  /** INVALID_SPEC problems, each with its path. */
  problems: SpecProblem[] | null;
}

const newKey = () =>
  typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * `submitRun`, then open the new run's console. Each attempt carries an idempotency key,
 * so a retried request never starts a second run.
 */
export function useSubmitRun() {
  const [state, execute] = useMutation(SubmitRunDocument);
  const [failure, setFailure] = useState<SubmitFailure | null>(null);
  const [navigating, setNavigating] = useState(false);
  const router = useRouter();

  const submit = async (input: Omit<SubmitRunInput, "idempotencyKey">) => {
    setFailure(null);
    const result = await execute({ input: { ...input, idempotencyKey: newKey() } });
    const run = result.data?.submitRun;
    if (run) {
      setNavigating(true);
      router.push(`/runs/${run.id}`);
      return;
    }
    const error = result.error;
    setFailure({
      message: error ? errorMessage(error) : "The run was not created.",
      problems: error ? specProblemsOf(error) : null,
    });
  };

  return { submit, busy: state.fetching || navigating, failure, clearFailure: () => setFailure(null) };
}

/** Params text → object, or a message saying why not. Empty means no params. */
export function parseParams(
  text: string,
): { ok: true; value: Record<string, unknown> | undefined } | { ok: false; message: string } {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return { ok: false, message: 'Params must be a JSON object, e.g. {"day": "2026-11-21"}.' };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: `Params are not valid JSON: ${(e as Error).message}` };
  }
}

/** Budget text → number, or a message. Empty means the spec's own budget. */
export function parseBudget(text: string): { ok: true; value: number | undefined } | { ok: false; message: string } {
  if (!text.trim()) return { ok: true, value: undefined };
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) return { ok: false, message: "Budget must be a number ≥ 0." };
  return { ok: true, value: n };
}

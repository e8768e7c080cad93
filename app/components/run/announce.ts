import { formatDuration } from "../format";

/** What the run page's live region says when a run's state moves (pure; unit-tested). */
export interface AnnounceState {
  status: string;
  durationMs: number | null;
  /** Keys (and titles, when known) of gates now waiting for a decision. */
  waitingGates: { key: string; title: string | null }[];
}

const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/**
 * The sentences to announce between two states: a run that just finished (with its
 * duration), a gate that just started waiting. Nothing for the first render — a screen
 * reader user hears the page itself then — nor for what did not change.
 */
export function announcements(before: AnnounceState | null, after: AnnounceState): string[] {
  if (!before) return [];
  const out: string[] = [];
  const known = new Set(before.waitingGates.map((g) => g.key));
  for (const g of after.waitingGates) {
    if (!known.has(g.key)) out.push(`Gate ${g.title ? `“${g.title}” (${g.key})` : g.key} is waiting for a decision.`);
  }
  if (!FINAL.has(before.status) && FINAL.has(after.status)) {
    out.push(
      `Run ${after.status.toLowerCase()}${after.durationMs != null ? ` after ${formatDuration(after.durationMs)}` : ""}.`,
    );
  } else if (before.status !== after.status && after.status === "PAUSED") {
    out.push("Run paused.");
  }
  return out;
}

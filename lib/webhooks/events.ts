import type { EventType } from "../events/types";

/** What a webhook can subscribe to (SPEC §11, normative names). */
export const WEBHOOK_EVENTS = [
  "GATE_WAITING",
  "GATE_DECIDED",
  "RUN_SUCCEEDED",
  "RUN_FAILED",
  "RUN_CANCELLED",
  "RUN_PAUSED",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Run-log event types that can map to a webhook event: a batch without one costs nothing. */
const MAPPED_TYPES: ReadonlySet<EventType> = new Set(["GATE_WAITING", "GATE_DECIDED", "RUN_COMPLETED", "RUN_STATUS"]);

/** A run-log event as `withRun` appends it. */
export interface LoggedEvent {
  type: EventType;
  payload: Record<string, unknown>;
}

/** A webhook event with the parts of its payload that come from the run-log event. */
export interface WebhookOccurrence {
  event: WebhookEvent;
  /** The gate node (gate events), as a short summary; null otherwise. */
  node: Record<string, unknown> | null;
  gate: unknown;
}

/**
 * The webhook event a run-log event reports, or null: GATE_WAITING and GATE_DECIDED as
 * themselves, RUN_COMPLETED by its final status, RUN_STATUS only when it pauses the run
 * (the other status changes are either not reported or reported by RUN_COMPLETED).
 */
export function webhookEventOf(e: LoggedEvent): WebhookOccurrence | null {
  if (!MAPPED_TYPES.has(e.type)) return null;
  switch (e.type) {
    case "GATE_WAITING":
    case "GATE_DECIDED": {
      const node = (e.payload.node ?? null) as Record<string, unknown> | null;
      return { event: e.type, node: node && nodeSummary(node), gate: node?.gate ?? e.payload.gate ?? null };
    }
    case "RUN_COMPLETED": {
      const status = e.payload.status;
      if (status === "SUCCEEDED") return { event: "RUN_SUCCEEDED", node: null, gate: null };
      if (status === "FAILED") return { event: "RUN_FAILED", node: null, gate: null };
      if (status === "CANCELLED") return { event: "RUN_CANCELLED", node: null, gate: null };
      return null;
    }
    case "RUN_STATUS":
      return e.payload.status === "PAUSED" ? { event: "RUN_PAUSED", node: null, gate: null } : null;
    default:
      return null;
  }
}

/** The webhook events of a batch, in order. Cheap when none maps (the usual batch). */
export function webhookEventsOf(events: readonly LoggedEvent[]): WebhookOccurrence[] {
  const out: WebhookOccurrence[] = [];
  for (const e of events) {
    const o = webhookEventOf(e);
    if (o) out.push(o);
  }
  return out;
}

/** The node as a receiver needs it: which one and in what state (not its output or metrics). */
function nodeSummary(n: Record<string, unknown>) {
  return { id: n.id ?? null, key: n.key ?? null, label: n.label ?? null, status: n.status ?? null };
}

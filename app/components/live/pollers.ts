import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { formatDocument } from "@urql/core";
import type { ExecutionResult } from "graphql";
import { RunEventsPollDocument, RunsPollDocument } from "@/app/graphql/generated";
import type { PollOutcome } from "./poll-scheduler";
import type { RequestBody } from "./transport";

/** Events per poll (the page size the live stream's backlog uses too). */
const POLL_PAGE = 500;
/** Runs compared per poll of the runs list: the first page the list shows and more. */
const RUNS_PAGE = 50;
const MOVING = new Set(["QUEUED", "RUNNING"]);

// With __typename everywhere, like the documents urql sends: graphcache normalizes the results.
const RUN_EVENTS_POLL = formatDocument(RunEventsPollDocument);
const RUNS_POLL = formatDocument(RunsPollDocument);

export type QueryFn = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) => Promise<ExecutionResult<TData>>;

interface PollBatch extends PollOutcome {
  /** Delivered to the subscription's sink as if the server had sent them, in order. */
  results: ExecutionResult[];
  /** The subscription is over (RUN_COMPLETED delivered, or a finished run with nothing after the cursor). */
  done: boolean;
}

/** One subscription's stand-in on the polling tier. */
export type Poller = () => Promise<PollBatch>;

/**
 * The poller for a subscription request, by its root field; null for one the polling tier
 * cannot stand in for (it waits for SSE or WebSocket to come back).
 *
 * Each poller reads the request again on every poll, so it continues from the cursor the
 * subscriber holds now (`afterSeq`), exactly as a resubscribe would: the subscriber's own
 * seq bookkeeping (drop seq ≤ last, refill gaps) applies unchanged.
 */
export function pollerFor(request: () => RequestBody, query: QueryFn): Poller | null {
  const field = /\bsubscription\b[^{]*\{\s*(\w+)/.exec(request().query)?.[1];
  if (field === "runEvents") return runEventsPoller(request, query);
  if (field === "runsChangedSince" || field === "runsChanged") return runsChangedPoller(query);
  return null;
}

/** `runEvents(runId, afterSeq)` as `events(runId, afterSeq)` pages plus the run's status. */
function runEventsPoller(request: () => RequestBody, query: QueryFn): Poller {
  let cursor = 0;
  return async () => {
    const vars = request().variables ?? {};
    const runId = String(vars.runId);
    cursor = Math.max(cursor, Number(vars.afterSeq ?? 0));
    const r = await query(RUN_EVENTS_POLL, { runId, afterSeq: cursor, first: POLL_PAGE });
    if (!r.data) return errorBatch(r);
    const { events, hasMore } = r.data.events;
    const last = events.at(-1);
    if (last) cursor = last.seq;
    const moving = MOVING.has(r.data.run?.status ?? "");
    const done =
      last?.__typename === "RunCompletedEvent" || (!last && !hasMore && !moving && r.data.run?.status !== "PAUSED");
    return {
      results: events.map((e) => ({ data: { runEvents: e } })),
      active: moving || events.length > 0,
      more: hasMore,
      done,
    };
  };
}

/**
 * `runsChangedSince` as the newest runs, compared with the previous poll: each run that is
 * new or changed is delivered (oldest first, so the list's inserts keep newest on top).
 * The first poll delivers them all (a refetch of what the page shows). A change to a run
 * older than the newest RUNS_PAGE is not seen on this tier; it shows on the next refetch.
 */
function runsChangedPoller(query: QueryFn): Poller {
  const seen = new Map<string, string>();
  return async () => {
    const r = await query(RUNS_POLL, { first: RUNS_PAGE });
    if (!r.data) return errorBatch(r);
    const results: ExecutionResult[] = [];
    let moving = false;
    for (const run of r.data.runs.nodes) {
      if (MOVING.has(run.status)) moving = true;
      const json = JSON.stringify(run);
      if (seen.get(run.id) === json) continue;
      seen.set(run.id, json);
      results.push({ data: { runsChangedSince: run } });
    }
    return { results: results.reverse(), active: moving || results.length > 0, more: false, done: false };
  };
}

/** A GraphQL error answer is the subscriber's to judge; no answer at all is a failed poll. */
function errorBatch(r: ExecutionResult): PollBatch {
  if (!r.errors?.length) throw new Error("poll: no data");
  return { results: [{ errors: r.errors }], active: false, more: false, done: false };
}

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { stringifyDocument } from "@urql/core";
import type { ExecutionResult } from "graphql";
import { type PollOutcome, PollScheduler } from "./poll-scheduler";
import { type Poller, pollerFor, type QueryFn } from "./pollers";
import type { LiveSink, RequestBody } from "./transport";

/** Poll queries this close together count as one tick's (see `sharedQuery`). */
const SAME_TICK_MS = 500;

interface Polled {
  poller: Poller;
  sink: LiveSink<unknown>;
}

/**
 * The polling tier of a LiveTransport: the subscriptions it stands in for, polled together
 * by one PollScheduler. Each poll delivers a poller's results to its sink in order, and
 * completes the sink when the poller says the subscription is over.
 */
export class PollTier {
  private readonly polled = new Set<Polled>();
  private readonly recent = new Map<string, { at: number; result: Promise<unknown> }>();
  private readonly scheduler: PollScheduler;

  /** `onResult`: 0 after a successful poll, else the failures in a row (for the indicator). */
  constructor(
    private readonly query: QueryFn,
    onResult: (failuresInARow: number) => void,
  ) {
    this.scheduler = new PollScheduler(() => this.pollAll(), onResult);
  }

  get running(): boolean {
    return this.scheduler.isRunning;
  }

  /** A poller for this subscription request (null: the tier cannot stand in for it). */
  pollerFor(request: () => RequestBody): Poller | null {
    return pollerFor(request, this.sharedQuery);
  }

  /** Poll `poller` into `sink` from now on (its first answer at once); returns the removal. */
  add(poller: Poller, sink: LiveSink<unknown>): () => void {
    const entry: Polled = { poller, sink };
    this.polled.add(entry);
    if (!this.scheduler.isRunning) this.scheduler.start();
    else this.scheduler.nudge();
    return () => {
      this.polled.delete(entry);
      if (this.polled.size === 0) this.scheduler.stop();
    };
  }

  nudge(): void {
    this.scheduler.nudge();
  }

  /**
   * Identical poll queries of one tick are sent once: every tab's page holds a runs-list
   * subscription (`since` differs, the poll does not), and the leader tab polls for all.
   */
  private sharedQuery: QueryFn = <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ) => {
    const key = JSON.stringify([stringifyDocument(document), variables]);
    const now = Date.now();
    for (const [k, v] of this.recent) if (now - v.at > SAME_TICK_MS) this.recent.delete(k);
    const hit = this.recent.get(key);
    if (hit) return hit.result as Promise<ExecutionResult<TData>>;
    const result = this.query(document, variables);
    this.recent.set(key, { at: now, result });
    result.catch(() => this.recent.delete(key));
    return result;
  };

  /** One poll of every subscription, in parallel; the scheduler paces the next from the outcome. */
  private async pollAll(): Promise<PollOutcome> {
    const outcome = { active: false, more: false };
    let failed: unknown = null;
    await Promise.all(
      [...this.polled].map(async (entry) => {
        let batch: Awaited<ReturnType<Poller>>;
        try {
          batch = await entry.poller();
        } catch (err) {
          failed = err;
          return;
        }
        if (!this.polled.has(entry)) return; // removed (unsubscribed, another tier) meanwhile
        for (const r of batch.results) entry.sink.next(r);
        outcome.active ||= batch.active;
        outcome.more ||= batch.more;
        if (batch.done) {
          this.polled.delete(entry);
          entry.sink.complete();
        }
      }),
    );
    if (this.polled.size === 0) this.scheduler.stop();
    if (failed) throw failed;
    return outcome;
  }
}

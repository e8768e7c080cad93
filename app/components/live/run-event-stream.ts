import { RunEventsDocument, RunEventsPageDocument, RunSealedDocument } from "@/app/graphql/generated";
import type { RunEvent } from "@/app/graphql/types";
import { backoffDelay } from "./backoff";
import type { LiveConnection } from "./transport";
import { printDocument } from "./urql-client";

/** Events per gap-refill query (the API's maximum page). */
const REFILL_PAGE = 1000;
/** Errors that retrying cannot fix; any other (SERVICE_UNAVAILABLE, a masked error) is retried. */
const PERMANENT = new Set(["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "BAD_INPUT"]);
/** A resumed subscription with no error for this long counts as healthy again (an idle run sends nothing). */
const HEALTHY_AFTER_MS = 3_000;

interface StreamError {
  message?: string;
  extensions?: Readonly<Record<string, unknown>>;
}

export interface RunStreamProgress {
  /** The last seq handed to `onBatch`. */
  lastSeq: number;
  completed: boolean;
  error: string | null;
}

export interface RunEventStreamOptions {
  transport: LiveConnection;
  runId: string;
  afterSeq: number;
  onBatch: (events: RunEvent[]) => void;
  onProgress: (progress: RunStreamProgress) => void;
}

/**
 * One run's event stream, applied in seq order exactly once:
 * - subscribes to `runEvents(runId, afterSeq)`; every (re)subscribe asks from the last
 *   accepted seq, so reconnects and the SSE fallback resume without replaying;
 * - drops seq ≤ last (duplicates); an event beyond a gap is held while the `events`
 *   query refills the gap over HTTP;
 * - hands accepted events to `onBatch` at most once per animation frame;
 * - ends after RUN_COMPLETED (or when the server says the sealed run has nothing more).
 */
export class RunEventStream {
  private accepted: number;
  private applied: number;
  private pending: RunEvent[] = [];
  private held = new Map<number, RunEvent>();
  private refilling = false;
  private completed = false;
  private closed = false;
  private error: string | null = null;
  private frame: { cancel(): void } | null = null;
  private unsubscribe: (() => void) | null = null;
  private restarts = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly subscription = printDocument(RunEventsDocument);

  constructor(private readonly o: RunEventStreamOptions) {
    this.accepted = o.afterSeq;
    this.applied = o.afterSeq;
    this.subscribe();
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.frame?.cancel();
    if (this.retry) clearTimeout(this.retry);
  }

  private subscribe() {
    this.unsubscribe = this.o.transport.subscribe<{ runEvents: RunEvent }>(
      () => ({ query: this.subscription, variables: { runId: this.o.runId, afterSeq: this.accepted } }),
      {
        next: (r) => {
          if (r.data?.runEvents) this.receive(r.data.runEvents);
          else if (r.errors?.length) this.fail(r.errors[0]);
        },
        error: (err) => this.fail(Array.isArray(err) ? (err[0] ?? {}) : { message: String(err) }),
        complete: () => void this.serverCompleted(),
      },
      // Completion is judged here (below), not by the transport.
      { isFinal: () => true },
    );
  }

  private receive(e: RunEvent) {
    if (this.closed || this.completed || e.seq <= this.accepted) return;
    if (e.seq > this.accepted + 1) {
      this.held.set(e.seq, e);
      void this.refill();
      return;
    }
    this.accept(e);
    this.drainHeld();
  }

  private accept(e: RunEvent) {
    this.accepted = e.seq;
    this.pending.push(e);
    if (e.__typename === "RunCompletedEvent") this.completed = true;
    this.schedule();
  }

  private drainHeld() {
    for (const seq of this.held.keys()) if (seq <= this.accepted) this.held.delete(seq);
    let next = this.held.get(this.accepted + 1);
    while (next && !this.completed) {
      this.held.delete(next.seq);
      this.accept(next);
      next = this.held.get(this.accepted + 1);
    }
  }

  /** Read the missing seqs with the `events` query (outside the cache), then release held events. */
  private async refill() {
    if (this.refilling) return;
    this.refilling = true;
    let attempt = 0;
    try {
      while (!this.closed && this.held.size > 0 && !this.completed) {
        const r = await this.o.transport
          .query(RunEventsPageDocument, { runId: this.o.runId, afterSeq: this.accepted, first: REFILL_PAGE })
          .catch(() => null);
        const events = r?.data?.events.events;
        if (!events?.length) {
          // Network trouble, or the server does not have the seqs yet: wait and retry.
          await new Promise((res) => setTimeout(res, backoffDelay(attempt++)));
          continue;
        }
        for (const e of events) this.receive(e);
      }
    } finally {
      this.refilling = false;
    }
  }

  private async serverCompleted() {
    this.unsubscribe = null;
    if (this.closed || this.completed) return this.progress();
    // Completed without RUN_COMPLETED: a server shutting down, or a run sealed before we
    // subscribed. Ask which; resume in the first case.
    const r = await this.o.transport.query(RunSealedDocument, { id: this.o.runId }).catch(() => null);
    if (this.closed) return;
    const run = r?.data?.run;
    if (run?.sealed && run.lastSeq <= this.accepted) {
      this.completed = true;
      return this.progress();
    }
    setTimeout(() => !this.closed && this.subscribe(), backoffDelay(this.restarts++));
  }

  /**
   * Show the error; unless retrying cannot help, subscribe again from the last accepted
   * seq after a backoff. The error clears with the next event, or once the resumed
   * subscription has stayed quiet and healthy for HEALTHY_AFTER_MS.
   */
  private fail(err: StreamError) {
    if (this.closed) return;
    this.error = err.message || "subscription failed";
    this.progress();
    if (PERMANENT.has(String(err.extensions?.code))) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(
      () => {
        if (this.closed) return;
        this.subscribe();
        const failedAt = this.error;
        this.retry = setTimeout(() => {
          this.retry = null;
          if (!this.closed && this.error === failedAt) this.clearError();
        }, HEALTHY_AFTER_MS);
      },
      backoffDelay(this.restarts++),
    );
  }

  private clearError() {
    if (this.error === null) return;
    this.error = null;
    this.progress();
  }

  /** Once per animation frame (a timer while the tab is hidden, where frames do not run). */
  private schedule() {
    if (this.frame || this.closed) return;
    if (typeof document !== "undefined" && document.visibilityState === "visible") {
      const id = requestAnimationFrame(() => this.flush());
      this.frame = { cancel: () => cancelAnimationFrame(id) };
    } else {
      const id = setTimeout(() => this.flush(), 250);
      this.frame = { cancel: () => clearTimeout(id) };
    }
  }

  private flush() {
    this.frame = null;
    if (this.closed || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.applied = batch[batch.length - 1].seq;
    this.restarts = 0;
    this.error = null; // events flow again
    this.o.onBatch(batch);
    this.progress();
  }

  private progress() {
    this.o.transport.reportSeq(this.applied);
    this.o.onProgress({
      lastSeq: this.applied,
      completed: this.completed && this.pending.length === 0,
      error: this.error,
    });
  }
}

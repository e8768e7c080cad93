import type { Notifier } from "../events/notifier";
import { CHANNELS } from "../events/types";

/** A claim that may wait: the longest a long-poll `claimNode` holds its request. */
export const MAX_CLAIM_WAIT_MS = 30_000;

/**
 * Wakes long-polling external claims (`claimNode(waitMs:)`) when work may be ready: on
 * every `work` doorbell (rung after the commit that queued nodes, by any process), after
 * the LISTEN connection reconnects (doorbells sent meanwhile are lost), and when the
 * server closes (they answer at once). A waiter is armed *before* its claim query, so a
 * doorbell that rings between the query and the wait is not lost; a doorbell lost to a
 * crash between commit and ring costs a waiter at most its `waitMs`, after which the
 * worker's next claim looks again.
 */
export class WorkBell {
  private waiters = new Set<() => void>();
  private offs: (() => void)[] = [];
  private closed = false;

  constructor(notifier: Notifier) {
    const ring = () => this.ringAll();
    this.offs.push(notifier.on(CHANNELS.work, ring), notifier.onReconnect(ring));
  }

  /** Idle waiters now (gauges, tests). */
  get waiting(): number {
    return this.waiters.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Arm a waiter. `wait(ms, signal)` resolves at the first ring since `arm()`, after `ms`,
   * when `signal` aborts or the bell closes — whichever comes first.
   */
  arm(): { wait(ms: number, signal?: AbortSignal): Promise<void>; disarm(): void } {
    let rung = this.closed;
    let wake: (() => void) | null = null;
    const waiter = () => {
      rung = true;
      wake?.();
    };
    this.waiters.add(waiter);
    const disarm = () => this.waiters.delete(waiter);
    return {
      disarm,
      wait: (ms, signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            disarm();
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, ms));
          if (rung || signal?.aborted) return done();
          wake = done;
          signal?.addEventListener("abort", done, { once: true });
        }),
    };
  }

  /** Every waiter answers now, and later ones do not wait (shutdown). */
  close(): void {
    this.closed = true;
    for (const off of this.offs) off();
    this.ringAll();
  }

  private ringAll() {
    const all = [...this.waiters];
    this.waiters.clear();
    for (const w of all) w();
  }
}

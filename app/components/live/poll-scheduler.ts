import { backoffDelay } from "./backoff";

/**
 * Polling intervals of the third transport tier (WebSocket refused, SSE held by a proxy).
 * - ACTIVE: a watched run is queued or running (or the last poll brought something): a
 *   change shows within about a second, like the other tiers feel.
 * - IDLE: nothing watched moves (finished or paused runs, a quiet runs list): the interval
 *   doubles from IDLE_FIRST up to IDLE_MAX, so an idle page costs one request per 15 s.
 * - MORE: the server said it has more (a backlog page): the next page at once.
 * An action (a mutation, the tab becoming visible) polls at once: `nudge()`.
 * A failed poll waits like a reconnect (`backoffDelay`: 1 s, 2 s, 4 s … 30 s).
 */
export const POLL_ACTIVE_MS = 1_000;
export const POLL_IDLE_FIRST_MS = 2_000;
export const POLL_IDLE_MAX_MS = 15_000;
const POLL_MORE_MS = 0;

export interface PollOutcome {
  /** Something watched is moving (or just moved): poll fast. */
  active: boolean;
  /** The server has more right now (a page limit was hit): poll again at once. */
  more: boolean;
}

export interface PollTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: PollTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The delay before the next poll, from the last outcome and how many idle polls came before. */
export function nextPollDelay(outcome: PollOutcome, idleStreak: number): number {
  if (outcome.more) return POLL_MORE_MS;
  if (outcome.active) return POLL_ACTIVE_MS;
  return Math.min(POLL_IDLE_MAX_MS, POLL_IDLE_FIRST_MS * 2 ** Math.max(0, idleStreak - 1));
}

/**
 * Runs `poll` again and again, never two at once, at the interval its outcomes ask for.
 * `onResult` hears of each success (null) or failure (the number of failures in a row).
 */
export class PollScheduler {
  private timer: unknown = null;
  private inFlight = false;
  private again = false;
  private running = false;
  private idleStreak = 0;
  private failures = 0;

  constructor(
    private readonly poll: () => Promise<PollOutcome>,
    private readonly onResult: (failuresInARow: number) => void = () => {},
    private readonly timers: PollTimers = realTimers,
  ) {}

  /** Poll now, then keep polling. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  stop(): void {
    this.running = false;
    this.again = false;
    this.clear();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Something just happened (an action, the tab shown): poll now rather than at the next tick. */
  nudge(): void {
    if (!this.running) return;
    this.idleStreak = 0;
    if (this.inFlight) {
      this.again = true; // the answer in flight may predate the action
      return;
    }
    this.clear();
    void this.run();
  }

  private clear() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async run() {
    this.timer = null;
    if (!this.running || this.inFlight) return;
    this.inFlight = true;
    let delay: number;
    try {
      const outcome = await this.poll();
      this.failures = 0;
      this.idleStreak = outcome.active || outcome.more ? 0 : this.idleStreak + 1;
      delay = nextPollDelay(outcome, this.idleStreak);
      this.onResult(0);
    } catch {
      delay = backoffDelay(this.failures++);
      this.onResult(this.failures);
    } finally {
      this.inFlight = false;
    }
    if (!this.running) return;
    if (this.again) {
      this.again = false;
      delay = 0;
    }
    this.timer = this.timers.setTimeout(() => void this.run(), delay);
  }
}

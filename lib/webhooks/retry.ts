/**
 * When a failed delivery is tried again (SPEC §11): 1 s, 2 s, 4 s … doubling, with ±20 %
 * jitter so many deliveries failing together do not retry together, never more than 1 h
 * apart, and given up once the schedule has spanned 24 h. Pure, so it is unit-tested.
 *
 * The span counts the schedule's nominal delays, not wall-clock time since the first try:
 * a server that was down for a day retries what it owes instead of giving it all up at
 * once, and `redeliver` (which resets `attempts`) starts a fresh 24 h.
 */
export interface RetryPolicy {
  /** The first retry's delay (SIGNALBOX_WEBHOOK_RETRY_BASE_MS). */
  baseMs: number;
  /** Longest wait between two attempts. */
  capMs: number;
  /** How long the schedule keeps trying. */
  windowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, capMs: 3_600_000, windowMs: 24 * 3_600_000 };

/** The delay after the `attempt`-th failure (1-based), without jitter. */
export function nominalDelayMs(p: RetryPolicy, attempt: number): number {
  return Math.min(p.capMs, p.baseMs * 2 ** Math.min(attempt - 1, 52));
}

/** The delay after the `attempt`-th failure: nominal ±20 %, never over the cap. */
export function retryDelayMs(p: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const jittered = nominalDelayMs(p, attempt) * (0.8 + 0.4 * random());
  return Math.max(1, Math.min(p.capMs, Math.round(jittered)));
}

/**
 * Whether the `attempt`-th failure is the last: the next attempt would fall past the window
 * (the nominal delays after attempts 1…attempt add up to more than `windowMs`).
 */
export function givesUp(p: RetryPolicy, attempt: number): boolean {
  let span = 0;
  for (let k = 1; k <= attempt; k++) {
    span += nominalDelayMs(p, k);
    if (span > p.windowMs) return true;
  }
  return false;
}

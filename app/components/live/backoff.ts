/** Reconnect schedule (SPEC §8): 1 s, 2 s, 4 s … capped at 30 s, each ±20 % jitter. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/**
 * Delay before reconnect attempt `attempt` (0-based). The jitter spreads the reconnects
 * of many tabs after a server restart so they do not arrive in one burst.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.min(BACKOFF_MAX_MS, Math.round(base * (0.8 + 0.4 * random())));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

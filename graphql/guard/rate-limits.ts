/**
 * In-process rate limits. Per process on purpose: each server limits what reaches it, and
 * a limit that needs a database round trip would itself be a cheap way to load the
 * database. Memory is bounded: idle entries are swept, and past MAX_KEYS the oldest go.
 */
const MAX_KEYS = 100_000;
const SWEEP_MS = 60_000;

/** A token bucket per key: `ratePerSec` ops/s sustained, up to `burst` at once. */
export class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {}

  /** Take one token for `key`; false when its bucket is empty. Always true when disabled (rate 0). */
  take(key: string, now = Date.now()): boolean {
    if (this.ratePerSec <= 0) return true;
    this.sweep(now);
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
    b.at = now;
    this.buckets.delete(key); // re-insert: Map order = least recently used first
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private sweep(now: number) {
    const full = this.burst / this.ratePerSec; // seconds until any bucket is full again
    if (now - this.lastSweep > SWEEP_MS) {
      this.lastSweep = now;
      for (const [k, b] of this.buckets) if ((now - b.at) / 1000 >= full) this.buckets.delete(k);
    }
    while (this.buckets.size >= MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

/**
 * Failed authentications per key (client IP) in a sliding window: once `limit` failures
 * fall within `windowMs`, the key is blocked until they age out. Brute-forcing a 192-bit
 * token is hopeless anyway; this keeps guessing from costing us a database lookup each.
 */
export class FailureWindow {
  private failures = new Map<string, number[]>();
  private lastSweep = Date.now();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  blocked(key: string, now = Date.now()): boolean {
    if (this.limit <= 0) return false;
    const list = this.recent(key, now);
    return list.length >= this.limit;
  }

  fail(key: string, now = Date.now()): void {
    if (this.limit <= 0) return;
    this.sweep(now);
    const list = this.recent(key, now);
    list.push(now);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    this.failures.set(key, list);
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key) ?? [];
    while (list.length && now - list[0] > this.windowMs) list.shift();
    if (!list.length) this.failures.delete(key);
    return list;
  }

  private sweep(now: number) {
    if (now - this.lastSweep > SWEEP_MS) {
      this.lastSweep = now;
      for (const key of [...this.failures.keys()]) this.recent(key, now);
    }
    while (this.failures.size >= MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }
}

/**
 * In-process token buckets (the per-token operation budget). Memory is bounded: idle
 * entries are swept, and past MAX_KEYS the oldest go. Failed authentications are limited
 * in PostgreSQL instead (lib/auth/limiter.ts), shared by every server process.
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

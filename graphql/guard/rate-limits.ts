import { hitWindows } from "../../lib/auth/rate-windows";
import type { Db } from "../../lib/db/client";
import { log } from "../../lib/log";

/**
 * The per-token operation budget: a token bucket per process (`TokenBuckets`, exact and
 * instant) and shared windows across processes (`SharedWindows`, in PostgreSQL, batched).
 * Memory is bounded: idle entries are swept, and past MAX_KEYS the oldest go. Failed
 * authentications are limited in PostgreSQL (lib/auth/limiter.ts).
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
 * The per-token operation budget across every server process (SPEC §2: rate-limit windows
 * live in PostgreSQL), at no database round trip per operation: each process counts its
 * admitted operations per token locally and adds them to `rate_windows` in one statement
 * every `flushMs` (at once for a token it has not seen this window), which answers with the
 * token's count over all processes (sliding window of `windowMs`, lib/auth/rate-windows.ts).
 * A token at `limit` there is refused by this process until its count has had time to fall
 * back. So a token gets about `limit` operations per window wherever it sends them, give
 * or take what the processes admit while one flush is in flight.
 */
export class SharedWindows {
  private pending = new Map<string, number>();
  /** Keys flushed within the last window: a new one is flushed at once (its count may be high elsewhere). */
  private known = new Map<string, number>();
  private blockedUntil = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(
    private readonly db: Db,
    /** At most this many operations per token per window, across processes (0: off). */
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly flushMs = 200,
  ) {
    this.eagerAt = Math.max(1, Math.floor(limit / 10));
  }

  /** Pending operations of one token that trigger a flush at once (a tenth of the limit). */
  private readonly eagerAt: number;

  /** True while the shared count says `key` is over its limit. */
  blocked(key: string, now = Date.now()): boolean {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.blockedUntil.delete(key);
    return false;
  }

  /** Count one admitted operation for `key` (added to the database at the next flush). */
  count(key: string, now = Date.now()): void {
    if (this.limit <= 0) return;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    if (this.pending.size > MAX_KEYS) this.pending.delete(this.pending.keys().next().value as string);
    const seen = this.known.get(key);
    if (seen === undefined || now - seen > this.windowMs) {
      this.known.delete(key);
      this.known.set(key, now);
      if (this.known.size > MAX_KEYS) this.known.delete(this.known.keys().next().value as string);
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if ((this.pending.get(key) ?? 0) >= this.eagerAt) {
      // A token spending fast: flush now, so what this process admits between two looks at
      // the shared count stays a small share of the limit (not a whole flushMs worth).
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Add the pending counts to the shared windows; note which keys are over the limit. */
  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.flushing || !this.pending.size) return;
    this.flushing = true;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      const now = Date.now();
      const rows = await hitWindows(
        this.db,
        batch.map(([key, n]) => [`ops:${this.windowMs}:${key}`, n]),
        this.windowMs,
        now,
      );
      rows.forEach((estimate, i) => {
        const key = batch[i][0];
        if (estimate < this.limit) return;
        // Refuse until the estimate has had time to fall back under the limit at the allowed pace.
        const waitMs = Math.min(this.windowMs, ((estimate - this.limit + 1) * this.windowMs) / this.limit);
        this.blockedUntil.set(key, now + Math.max(50, waitMs));
      });
      if (this.blockedUntil.size > MAX_KEYS) this.blockedUntil.clear();
    } catch (err) {
      log.debug({ err }, "shared rate-limit flush failed; counts dropped");
    } finally {
      this.flushing = false;
      const eager = [...this.pending.values()].some((n) => n >= this.eagerAt);
      if (eager) void this.flush();
      else if (this.pending.size) this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    }
  }

  close(): void {
    clearTimeout(this.timer);
  }
}

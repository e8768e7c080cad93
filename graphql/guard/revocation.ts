import { activeTokenIds } from "../../lib/auth/tokens";
import type { Db } from "../../lib/db/client";
import { log } from "../../lib/log";

/**
 * How often open connections' tokens are re-checked. A revoked token's live subscriptions
 * end within this (plus one query) even when it was revoked by another server process;
 * a revocation through this process ends them at once.
 */
const RECHECK_MS = 2_000;

/**
 * Live connections and subscriptions by the token that opened them. Authentication
 * happens once per connection (WebSocket) or subscription (SSE), so without this a
 * revoked token would keep receiving events for as long as its connection stayed up.
 * One batched query per interval checks every token that has something open.
 */
export class LiveTokens {
  private live = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly db: Db) {
    this.timer = setInterval(() => void this.check(), RECHECK_MS);
    this.timer.unref();
  }

  /** Call `onRevoked` once if the token is revoked while open; the result unregisters. */
  watch(tokenId: string, onRevoked: () => void): () => void {
    const set = this.live.get(tokenId) ?? new Set();
    this.live.set(tokenId, set);
    let done = false;
    const entry = () => {
      if (done) return;
      done = true;
      onRevoked();
    };
    set.add(entry);
    return () => {
      done = true;
      set.delete(entry);
      if (set.size === 0 && this.live.get(tokenId) === set) this.live.delete(tokenId);
    };
  }

  /** The token was revoked (through this process): end what it has open now. */
  revoked(tokenId: string): void {
    const set = this.live.get(tokenId);
    this.live.delete(tokenId);
    for (const end of set ?? []) end();
  }

  /** One query for every token with something open; a database error skips the round. */
  async check(): Promise<void> {
    if (this.checking || this.live.size === 0) return;
    this.checking = true;
    try {
      const ids = [...this.live.keys()];
      const active = await activeTokenIds(this.db, ids);
      for (const id of ids) if (!active.has(id)) this.revoked(id);
    } catch (err) {
      log.debug({ err }, "token re-check skipped (database unavailable)");
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.live.clear();
  }
}

import { randomUUID } from "node:crypto";
import type { Db } from "../../lib/db/client";
import { DomainError } from "../../lib/errors";
import { log } from "../../lib/log";
import { metrics } from "../../lib/metrics";

/**
 * What a live row is: a WebSocket connection (counts as a connection), one of its
 * subscriptions (counts as a subscription), or an SSE stream (both: one stream carries
 * one subscription).
 */
export type LiveKind = "connection" | "subscription" | "stream";

export interface CapLimits {
  /** Open connections (WebSockets + SSE streams) per token; 0: no limit. */
  connectionsPerToken: number;
  /** Open connections per client address; 0: no limit. */
  connectionsPerAddress: number;
  /** Live subscriptions (WebSocket subscriptions + SSE streams) per token; 0: no limit. */
  subscriptionsPerToken: number;
  /** How often this process marks itself alive; silent for 3 heartbeats → its rows stop counting. */
  heartbeatMs: number;
}

/** Where a subscription's lease rides on its context value (released when the stream ends). */
export const LIVE_LEASE = Symbol("signalbox.liveLease");

/** A counted connection, subscription or stream. `release` is idempotent. */
export interface Lease {
  release(): void;
}

/** A lease with its row (none when no cap counts it). */
class LiveLease implements Lease {
  private done = false;
  constructor(
    private readonly caps: LiveCaps,
    readonly row: Row | null,
  ) {}
  get released() {
    return this.done;
  }
  release() {
    if (this.done) return;
    this.done = true;
    if (this.row) this.caps.forget(this.row);
  }
}

interface Row {
  id: string;
  tokenId: string | null;
  address: string;
  transport: string;
  kind: LiveKind;
}

const capError = (what: string, limit: number, variable: string) =>
  new DomainError("RATE_LIMITED", `too many ${what} (at most ${limit}; ${variable})`, { limit });

/**
 * Connection and subscription caps shared by every server process (SPEC §2): each open
 * WebSocket, SSE stream and WebSocket subscription is a row of `live_connections`, inserted
 * when it opens and deleted when it closes. A cap check is a count of the live rows of the
 * token / address, made under transaction-scoped advisory locks on those keys, so two
 * processes cannot both take the last slot. Each process heartbeats its `server_instances`
 * row, moving its `expires_at` 3 heartbeats ahead; rows of a process past its expiry
 * (killed with -9, frozen) stop counting at once and are swept by any live process
 * (ON DELETE CASCADE). A process that finds itself swept (a long pause)
 * registers again with its rows. With every cap at 0 nothing touches the database.
 */
export class LiveCaps {
  readonly instanceId = randomUUID();
  private readonly rows = new Map<string, Row>();
  private readonly staleMs: number;
  private timer: NodeJS.Timeout | undefined;
  private registered: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly limits: CapLimits,
  ) {
    this.staleMs = limits.heartbeatMs * 3;
  }

  private get tracksConnections() {
    return this.limits.connectionsPerToken > 0 || this.limits.connectionsPerAddress > 0;
  }

  /** Register this process (lazily, on first use) and start its heartbeat. */
  private ready(): Promise<void> {
    this.registered ??= (async () => {
      await this.db.$executeRaw`INSERT INTO server_instances (id, expires_at)
        VALUES (${this.instanceId}::uuid, now() + (${this.staleMs}::int * interval '1 millisecond'))
        ON CONFLICT DO NOTHING`;
      this.timer = setInterval(() => void this.heartbeat(), this.limits.heartbeatMs);
      this.timer.unref();
    })().catch((err) => {
      this.registered = undefined;
      throw err;
    });
    return this.registered;
  }

  private async heartbeat(): Promise<void> {
    try {
      const alive = await this.db.$executeRaw`UPDATE server_instances
          SET heartbeat_at = now(), expires_at = now() + (${this.staleMs}::int * interval '1 millisecond')
          WHERE id = ${this.instanceId}::uuid`;
      if (!alive && !this.closed) {
        // Swept while we were silent: our rows went with it. Register again, with them.
        log.warn({ rows: this.rows.size }, "live connection registry: re-registering this server process");
        await this.db.$executeRaw`INSERT INTO server_instances (id, expires_at)
            VALUES (${this.instanceId}::uuid, now() + (${this.staleMs}::int * interval '1 millisecond'))
            ON CONFLICT DO NOTHING`;
        for (const r of [...this.rows.values()]) await this.insert(this.db, r);
      }
      await this.db.$executeRaw`DELETE FROM server_instances WHERE expires_at < now()`;
    } catch (err) {
      log.debug({ err }, "live connection heartbeat failed");
    }
  }

  /**
   * Run `write` (which inserts a row of this process); if this process's registration was
   * swept meanwhile (it was slow for 3 heartbeats: a loaded machine, a long pause), the
   * insert breaks the foreign key: register again at once, with its rows, and retry once —
   * rather than refusing connections until the next heartbeat notices.
   */
  private async registeredFor<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (this.closed || !String((err as Error)?.message).includes("live_connections_instance_id_fkey")) throw err;
      await this.heartbeat();
      return write();
    }
  }

  private insert(db: Pick<Db, "$executeRaw">, r: Row) {
    return db.$executeRaw`INSERT INTO live_connections (id, instance_id, token_id, address, transport, kind)
      VALUES (${r.id}::uuid, ${this.instanceId}::uuid, ${r.tokenId}, ${r.address}, ${r.transport}, ${r.kind})
      ON CONFLICT (id) DO UPDATE SET token_id = EXCLUDED.token_id`;
  }

  /** A released row: gone from the registry (best effort: else it is swept with this process). */
  forget(row: Row): void {
    this.rows.delete(row.id);
    this.db.$executeRaw`DELETE FROM live_connections WHERE id = ${row.id}::uuid`.catch((err) =>
      log.debug({ err }, "live connection row not deleted"),
    );
  }

  /**
   * Count a new connection / subscription / stream, or throw RATE_LIMITED when it would
   * exceed a cap. `tokenId` is null for a WebSocket before `connection_init` (only the
   * address counts then; `attachToken` adds the token). Database errors go through.
   */
  async open(kind: LiveKind, tokenId: string | null, address: string, transport: string): Promise<Lease> {
    const {
      connectionsPerToken: perToken,
      connectionsPerAddress: perAddress,
      subscriptionsPerToken: subs,
    } = this.limits;
    const isConnection = kind !== "subscription";
    const isSubscription = kind !== "connection";
    const checks = {
      token: isConnection && !!tokenId && perToken > 0,
      address: isConnection && perAddress > 0,
      subs: isSubscription && !!tokenId && subs > 0,
    };
    // A row is kept whenever some cap counts this kind (a WebSocket counted by address now
    // may be counted by token after connection_init).
    if (!(isConnection && this.tracksConnections) && !checks.subs) return new LiveLease(this, null);
    await this.ready();
    const row: Row = { id: randomUUID(), tokenId, address, transport, kind };
    await this.registeredFor(() =>
      this.db.$transaction(async (tx) => {
        const keys = [
          ...(checks.token || checks.subs ? [`signalbox:live:token:${tokenId}`] : []),
          ...(checks.address ? [`signalbox:live:address:${address}`] : []),
        ].sort();
        for (const key of keys) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
        if (keys.length) {
          const [c] = await tx.$queryRaw<{ tc: number; ac: number; ts: number }[]>`
          SELECT
            count(*) FILTER (WHERE lc.token_id = ${tokenId} AND lc.kind <> 'subscription')::int AS tc,
            count(*) FILTER (WHERE lc.address = ${address} AND lc.kind <> 'subscription')::int AS ac,
            count(*) FILTER (WHERE lc.token_id = ${tokenId} AND lc.kind <> 'connection')::int AS ts
          FROM live_connections lc JOIN server_instances si ON si.id = lc.instance_id
          WHERE (lc.token_id = ${tokenId} OR lc.address = ${address})
            AND si.expires_at > now()`;
          if (checks.token && c.tc >= perToken)
            throw refused(
              "token_connections",
              capError("connections for this token", perToken, "SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN"),
            );
          if (checks.address && c.ac >= perAddress)
            throw refused(
              "address_connections",
              capError("connections from your address", perAddress, "SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS"),
            );
          if (checks.subs && c.ts >= subs)
            throw refused(
              "token_subscriptions",
              capError("live subscriptions for this token", subs, "SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN"),
            );
        }
        await this.insert(tx, row);
      }),
    );
    this.rows.set(row.id, row);
    return new LiveLease(this, row);
  }

  /**
   * A WebSocket's token is known (connection_init): count its connection for the token
   * too, or throw RATE_LIMITED. `lease` is what `open("connection", null, …)` returned.
   */
  async attachToken(lease: Lease, tokenId: string): Promise<void> {
    const row = lease instanceof LiveLease && !lease.released ? lease.row : null;
    if (!row) return; // no connection cap is on, or it closed already
    const perToken = this.limits.connectionsPerToken;
    await this.registeredFor(() =>
      this.db.$transaction(async (tx) => {
        if (perToken > 0) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`signalbox:live:token:${tokenId}`}, 0))`;
          const [c] = await tx.$queryRaw<{ tc: number }[]>`
          SELECT count(*)::int AS tc
          FROM live_connections lc JOIN server_instances si ON si.id = lc.instance_id
          WHERE lc.token_id = ${tokenId} AND lc.kind <> 'subscription'
            AND si.expires_at > now()`;
          if (c.tc >= perToken)
            throw refused(
              "token_connections",
              capError("connections for this token", perToken, "SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN"),
            );
        }
        row.tokenId = tokenId;
        await this.insert(tx, row);
      }),
    );
    if ((lease as LiveLease).released) this.forget(row); // closed while we counted
  }

  /** Shutdown: stop the heartbeat and delete this process's rows (ON DELETE CASCADE). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (!this.registered) return;
    this.rows.clear();
    await this.db.$executeRaw`DELETE FROM server_instances WHERE id = ${this.instanceId}::uuid`.catch(() => {});
  }
}

function refused(reason: string, err: DomainError): DomainError {
  metrics.rejected.inc({ reason });
  return err;
}

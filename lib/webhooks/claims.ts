import type { Db } from "../db/client";
import type { PostOutcome } from "./send";

/** A delivery a sender holds until `lockedUntil`, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: string;
  payload: Record<string, unknown>;
  /** Attempts before this one. */
  attempts: number;
  /** The claim's expiry as PostgreSQL prints it: the fence when recording the attempt. */
  lockedUntil: string;
  url: string;
  /** In memory only while sending: never logged, never returned by the API. */
  secret: string;
}

/**
 * Claim up to `limit` due deliveries of enabled webhooks, at most `perWebhook` of any one
 * webhook and none of `busy` (webhooks this process already has enough in flight for), so
 * a slow receiver cannot take every slot. `FOR UPDATE SKIP LOCKED`: concurrent senders
 * (every server process runs one) take different rows without waiting on each other.
 * The claim is `locked_until`, not a held lock: a sender that dies (kill -9) loses it
 * when it expires, and another sender takes the delivery then.
 */
export async function claimDue(
  db: Db,
  opts: { limit: number; perWebhook: number; busy: string[]; lockMs: number },
): Promise<ClaimedDelivery[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      webhook_id: string;
      event: string;
      payload: Record<string, unknown>;
      attempts: number;
      locked_until: string;
      url: string;
      secret: string;
    }[]
  >`
    WITH ranked AS (
      SELECT d.id, d.next_attempt_at,
        row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at) AS rank
      FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
      WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AT TIME ZONE 'UTC'
        AND (d.locked_until IS NULL OR d.locked_until <= now() AT TIME ZONE 'UTC')
        AND NOT (d.webhook_id = ANY(${opts.busy}::uuid[]))
    ), due AS (
      -- The conditions again, on the row being locked: a row another sender claimed since
      -- "ranked" read it is re-checked at its new version (and skipped), not claimed twice.
      SELECT d.id FROM webhook_deliveries d JOIN ranked r ON r.id = d.id
      WHERE r.rank <= ${opts.perWebhook} AND d.status = 'PENDING'
        AND (d.locked_until IS NULL OR d.locked_until <= now() AT TIME ZONE 'UTC')
      ORDER BY r.next_attempt_at LIMIT ${opts.limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d
    SET locked_until = now() AT TIME ZONE 'UTC' + ${opts.lockMs} * interval '1 millisecond'
    FROM due, webhooks w
    WHERE d.id = due.id AND w.id = d.webhook_id
    RETURNING d.id::text, d.webhook_id::text, d.event::text, d.payload, d.attempts, d.locked_until::text, w.url, w.secret`;
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.webhook_id,
    event: r.event,
    payload: r.payload,
    attempts: r.attempts,
    lockedUntil: r.locked_until,
    url: r.url,
    secret: r.secret,
  }));
}

/** How a finished attempt changes its delivery: done, retry after a delay, or given up. */
export type AttemptResult = { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "gave-up" };

/**
 * Record one attempt: its log row, the delivery's new state, and the webhook's failure
 * streak (reset by a success; a delivery given up adds one, and at `disableAfter` the
 * webhook is disabled with a reason people can read). One transaction. The update is
 * fenced by the claim (`locked_until`, `attempts`): if the claim expired and another
 * sender took the delivery meanwhile, this attempt is logged but changes nothing else.
 * Returns whether this attempt disabled the webhook.
 */
export async function recordAttempt(
  db: Db,
  c: ClaimedDelivery,
  outcome: PostOutcome,
  result: AttemptResult,
  disableAfter: number,
): Promise<{ disabled: boolean }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO webhook_attempts (id, delivery_id, at, status_code, duration_ms, error, response_body)
      SELECT gen_random_uuid(), d.id, now() AT TIME ZONE 'UTC', ${outcome.statusCode}, ${outcome.durationMs},
        ${outcome.error}, ${outcome.responseBody}
      FROM webhook_deliveries d WHERE d.id = ${c.id}::uuid`;
    const delivered = result.kind === "delivered";
    const gaveUp = result.kind === "gave-up";
    const delayMs = result.kind === "retry" ? result.delayMs : 0;
    const status = delivered ? "SUCCEEDED" : gaveUp ? "FAILED" : "PENDING";
    const changed = await tx.$executeRaw`
      UPDATE webhook_deliveries SET
        status = ${status}::"DeliveryStatus",
        attempts = attempts + 1,
        locked_until = NULL,
        last_error = ${outcome.error},
        delivered_at = CASE WHEN ${delivered} THEN now() AT TIME ZONE 'UTC' ELSE delivered_at END,
        next_attempt_at = CASE WHEN ${status} = 'PENDING'
          THEN now() AT TIME ZONE 'UTC' + ${delayMs} * interval '1 millisecond' ELSE next_attempt_at END
      WHERE id = ${c.id}::uuid AND status = 'PENDING' AND attempts = ${c.attempts}
        AND locked_until::text = ${c.lockedUntil}`;
    if (changed === 0) return { disabled: false };
    if (delivered) {
      await tx.$executeRaw`UPDATE webhooks SET failure_streak = 0 WHERE id = ${c.webhookId}::uuid AND failure_streak > 0`;
      return { disabled: false };
    }
    if (!gaveUp) return { disabled: false };
    const reason =
      `Disabled automatically: ${disableAfter} deliveries in a row failed after retrying for 24 hours ` +
      `(last: ${outcome.error ?? "no response"}). Fix the receiver, then enable the webhook again.`;
    const [w] = await tx.$queryRaw<{ disabled: boolean }[]>`
      UPDATE webhooks SET
        failure_streak = failure_streak + 1,
        enabled = enabled AND failure_streak + 1 < ${disableAfter},
        disabled_reason = CASE WHEN enabled AND failure_streak + 1 >= ${disableAfter} THEN ${reason} ELSE disabled_reason END,
        updated_at = now() AT TIME ZONE 'UTC'
      WHERE id = ${c.webhookId}::uuid
      RETURNING (NOT enabled AND failure_streak = ${disableAfter} AND disabled_reason = ${reason}) AS disabled`;
    return { disabled: w?.disabled ?? false };
  });
}

/**
 * Milliseconds until the next delivery this process could claim falls due (null: none
 * pending; `busy` webhooks wake it when their deliveries finish). The sender sleeps until
 * then instead of polling.
 */
export async function msUntilNextDue(db: Db, busy: string[]): Promise<number | null> {
  const [row] = await db.$queryRaw<{ ms: number | null }[]>`
    SELECT (EXTRACT(EPOCH FROM min(GREATEST(d.next_attempt_at, COALESCE(d.locked_until, d.next_attempt_at)))
      - now() AT TIME ZONE 'UTC') * 1000)::float8 AS ms
    FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
    WHERE d.status = 'PENDING' AND NOT (d.webhook_id = ANY(${busy}::uuid[]))`;
  return row?.ms ?? null;
}

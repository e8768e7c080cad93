import type { Db } from "../db/client";
import type { WebhookEvent } from "./events";

/** Ids are UUIDs; anything else cannot exist, and must never reach a `::uuid` cast. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

/** A webhook as the API and the console show it: everything but its secret. */
export interface WebhookInfo {
  id: string;
  namespace: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
  failureStreak: number;
  disabledReason: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns of WebhookInfo: the secret is never selected for display. */
const INFO = {
  id: true,
  namespace: true,
  url: true,
  events: true,
  enabled: true,
  failureStreak: true,
  disabledReason: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} as const;

export async function getWebhook(db: Db, namespace: string, id: string): Promise<WebhookInfo | null> {
  if (!isUuid(id)) return null;
  return db.webhook.findFirst({ where: { id, namespace }, select: INFO });
}

/** The namespace's webhooks, newest first (at most MAX_WEBHOOKS_PER_NAMESPACE). */
export async function listWebhooks(db: Db, namespace: string): Promise<WebhookInfo[]> {
  return db.webhook.findMany({ where: { namespace }, select: INFO, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
}

export interface DeliveryInfo {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  status: "PENDING" | "SUCCEEDED" | "FAILED";
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  /** The run the event is about (from the payload). */
  runId: string | null;
}

export const MAX_DELIVERIES_PAGE = 100;

/**
 * The `first` newest deliveries of each webhook, in one query (a window per webhook).
 * Callers pass ids of webhooks already checked to be in the viewer's namespace.
 */
export async function deliveriesOf(db: Db, webhookIds: string[], first: number): Promise<Map<string, DeliveryInfo[]>> {
  const ids = webhookIds.filter(isUuid);
  const out = new Map<string, DeliveryInfo[]>(webhookIds.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.$queryRaw<
    {
      id: string;
      webhook_id: string;
      event: WebhookEvent;
      status: DeliveryInfo["status"];
      attempts: number;
      next_attempt_at: Date;
      delivered_at: Date | null;
      last_error: string | null;
      created_at: Date;
      run_id: string | null;
    }[]
  >`
    SELECT id::text, webhook_id::text, event::text, status::text, attempts, next_attempt_at, delivered_at,
      last_error, created_at, payload #>> '{run,id}' AS run_id
    FROM (
      SELECT d.*, row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.created_at DESC, d.id) AS rank
      FROM webhook_deliveries d WHERE d.webhook_id = ANY(${ids}::uuid[])
    ) ranked
    WHERE rank <= ${first}
    ORDER BY webhook_id, created_at DESC, id`;
  for (const r of rows)
    out.get(r.webhook_id)?.push({
      id: r.id,
      webhookId: r.webhook_id,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      deliveredAt: r.delivered_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      runId: r.run_id,
    });
  return out;
}

export interface AttemptInfo {
  id: string;
  at: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

/** Attempts shown per delivery: the most recent ones (a redelivered one may have many). */
const MAX_ATTEMPTS_SHOWN = 20;

/** The last MAX_ATTEMPTS_SHOWN attempts of each delivery, oldest first, in one query. */
export async function attemptsOf(db: Db, deliveryIds: string[]): Promise<Map<string, AttemptInfo[]>> {
  const ids = deliveryIds.filter(isUuid);
  const out = new Map<string, AttemptInfo[]>(deliveryIds.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.$queryRaw<
    {
      id: string;
      delivery_id: string;
      at: Date;
      status_code: number | null;
      duration_ms: number;
      error: string | null;
      response_body: string | null;
    }[]
  >`
    SELECT id::text, delivery_id::text, at, status_code, duration_ms, error, response_body
    FROM (
      SELECT a.*, row_number() OVER (PARTITION BY a.delivery_id ORDER BY a.at DESC, a.id) AS rank
      FROM webhook_attempts a WHERE a.delivery_id = ANY(${ids}::uuid[])
    ) ranked
    WHERE rank <= ${MAX_ATTEMPTS_SHOWN}
    ORDER BY delivery_id, at, id`;
  for (const r of rows)
    out.get(r.delivery_id)?.push({
      id: r.id,
      at: r.at,
      statusCode: r.status_code,
      durationMs: r.duration_ms,
      error: r.error,
      responseBody: r.response_body,
    });
  return out;
}

/** One delivery of the namespace (redeliver's answer), or null. */
export async function getDelivery(db: Db, namespace: string, id: string): Promise<DeliveryInfo | null> {
  if (!isUuid(id)) return null;
  const d = await db.webhookDelivery.findFirst({
    where: { id, webhook: { namespace } },
    select: {
      id: true,
      webhookId: true,
      event: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      deliveredAt: true,
      lastError: true,
      createdAt: true,
      payload: true,
    },
  });
  if (!d) return null;
  const { payload, ...rest } = d;
  const run = (payload as { run?: { id?: string } } | null)?.run;
  return { ...rest, runId: run?.id ?? null };
}

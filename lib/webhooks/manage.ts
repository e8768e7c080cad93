import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { TargetPolicy } from "../engine/executors/http-target";
import { DomainError, notFound } from "../errors";
import { doorbell } from "../events/doorbell";
import { CHANNELS } from "../events/types";
import { WEBHOOK_EVENTS, type WebhookEvent } from "./events";
import { getWebhook, isUuid, type WebhookInfo } from "./queries";
import { newWebhookSecret } from "./signature";
import { checkWebhookTarget } from "./target";

/** Webhooks per namespace: every event is copied once per subscribed webhook. */
const MAX_WEBHOOKS_PER_NAMESPACE = 50;

function checkEvents(events: readonly string[]): WebhookEvent[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw new DomainError("BAD_INPUT", "choose at least one event", { field: "events" });
  for (const e of unique)
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(e))
      throw new DomainError("BAD_INPUT", `unknown event ${e}`, { field: "events" });
  // In the canonical order, so the list reads the same however it was given.
  return WEBHOOK_EVENTS.filter((e) => unique.includes(e));
}

/** The URL as stored: checked against the SSRF rules now (BAD_INPUT on `url`), and again at every delivery. */
async function checkedUrl(url: string, policy: TargetPolicy): Promise<string> {
  return (await checkWebhookTarget(url, policy)).url.toString();
}

export interface CreateWebhookInput {
  namespace: string;
  url: string;
  events: readonly string[];
  enabled?: boolean | null;
  createdBy: string;
}

/**
 * Register a webhook. Returns it with its signing secret — the only time the secret leaves
 * the server: it is stored (each delivery is signed with it) but never returned or logged.
 */
export async function createWebhook(
  db: Db,
  input: CreateWebhookInput,
  policy: TargetPolicy,
): Promise<{ webhook: WebhookInfo; secret: string }> {
  const events = checkEvents(input.events);
  const url = await checkedUrl(input.url, policy);
  const id = randomUUID();
  const secret = newWebhookSecret();
  await db.$transaction(async (tx) => {
    // Concurrent creates in a namespace serialize here, so the cap cannot be raced past.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`signalbox:webhooks:${input.namespace}`}, 0))`;
    const count = await tx.webhook.count({ where: { namespace: input.namespace } });
    if (count >= MAX_WEBHOOKS_PER_NAMESPACE)
      throw new DomainError("BAD_INPUT", `a namespace has at most ${MAX_WEBHOOKS_PER_NAMESPACE} webhooks`);
    // Raw, so no error message could ever echo the secret back (Prisma's name their arguments).
    await tx.$executeRaw`
      INSERT INTO webhooks (id, namespace, url, events, secret, enabled, created_by, created_at, updated_at)
      VALUES (${id}::uuid, ${input.namespace}, ${url}, ${events}::"WebhookEvent"[], ${secret},
        ${input.enabled ?? true}, ${input.createdBy}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`;
  });
  const webhook = await getWebhook(db, input.namespace, id);
  if (!webhook) throw notFound("webhook");
  return { webhook, secret };
}

export interface UpdateWebhookInput {
  url?: string | null;
  events?: readonly string[] | null;
  enabled?: boolean | null;
}

/**
 * Change a webhook's URL, events or switch. Enabling clears the reason it was disabled and
 * its failure streak; what is still pending goes out (the doorbell rings).
 */
export async function updateWebhook(
  db: Db,
  namespace: string,
  id: string,
  input: UpdateWebhookInput,
  policy: TargetPolicy,
): Promise<WebhookInfo> {
  const before = await getWebhook(db, namespace, id);
  if (!before) throw notFound("webhook");
  const data: { url?: string; events?: WebhookEvent[]; enabled?: boolean; disabledReason?: null; failureStreak?: 0 } =
    {};
  if (input.url != null) data.url = await checkedUrl(input.url, policy);
  if (input.events != null) data.events = checkEvents(input.events);
  if (input.enabled != null) {
    data.enabled = input.enabled;
    if (input.enabled && !before.enabled) Object.assign(data, { disabledReason: null, failureStreak: 0 });
  }
  const { count } = await db.webhook.updateMany({ where: { id, namespace }, data: { ...data, updatedAt: new Date() } });
  if (count === 0) throw notFound("webhook");
  if (data.enabled) doorbell(db).other(CHANNELS.webhooks, namespace);
  return (await getWebhook(db, namespace, id)) ?? before;
}

/** Delete a webhook with its deliveries and their attempts. Returns it as it was. */
export async function deleteWebhook(db: Db, namespace: string, id: string): Promise<WebhookInfo> {
  const before = await getWebhook(db, namespace, id);
  if (!before) throw notFound("webhook");
  const { count } = await db.webhook.deleteMany({ where: { id, namespace } });
  if (count === 0) throw notFound("webhook");
  return before;
}

/**
 * Queue a delivery again, whatever became of it (delivered, given up, still retrying): it
 * goes out now with a fresh retry schedule (`attempts` counts from 0 again; the attempt
 * log keeps every earlier try). The webhook must be enabled.
 */
export async function redeliver(db: Db, namespace: string, deliveryId: string): Promise<string> {
  if (!isUuid(deliveryId)) throw notFound("delivery");
  const row = await db.webhookDelivery.findFirst({
    where: { id: deliveryId, webhook: { namespace } },
    select: { webhook: { select: { enabled: true } } },
  });
  if (!row) throw notFound("delivery");
  if (!row.webhook.enabled)
    throw new DomainError("BAD_INPUT", "the webhook is disabled: enable it first, then redeliver");
  await db.$executeRaw`
    UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0, locked_until = NULL, delivered_at = NULL,
      next_attempt_at = now() AT TIME ZONE 'UTC'
    WHERE id = ${deliveryId}::uuid`;
  doorbell(db).other(CHANNELS.webhooks, namespace);
  return deliveryId;
}

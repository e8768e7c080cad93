import DataLoader from "dataloader";
import type { Db } from "../lib/db/client";
import { type AttemptInfo, attemptsOf, type DeliveryInfo, deliveriesOf } from "../lib/webhooks/queries";
import type { GraphQLContext } from "./context";

interface DeliveriesKey {
  webhookId: string;
  first: number;
}
const deliveriesKey = (k: DeliveriesKey) => `${k.webhookId}:${k.first}`;

/**
 * Only ever called with webhooks and deliveries already read through the viewer's
 * namespace (Query.webhooks, the mutations): one query per field per request, not one per
 * webhook or per delivery.
 */
function createWebhookLoaders(db: Db) {
  return {
    deliveries: new DataLoader<DeliveriesKey, DeliveryInfo[], string>(
      async (keys) => {
        const byFirst = new Map<number, string[]>();
        for (const k of keys) byFirst.set(k.first, [...(byFirst.get(k.first) ?? []), k.webhookId]);
        const got = new Map<string, DeliveryInfo[]>();
        for (const [first, ids] of byFirst)
          for (const [id, rows] of await deliveriesOf(db, ids, first))
            got.set(deliveriesKey({ webhookId: id, first }), rows);
        return keys.map((k) => got.get(deliveriesKey(k)) ?? []);
      },
      { cacheKeyFn: deliveriesKey },
    ),
    attempts: new DataLoader<string, AttemptInfo[]>(async (ids) => {
      const got = await attemptsOf(db, [...ids]);
      return ids.map((id) => got.get(id) ?? []);
    }),
  };
}

type WebhookLoaders = ReturnType<typeof createWebhookLoaders>;

/** Kept beside `ctx.loaders` (fresh per request), so they batch and cache as long as it does. */
const perRequest = new WeakMap<object, WebhookLoaders>();

export function webhookLoaders(ctx: GraphQLContext): WebhookLoaders {
  let loaders = perRequest.get(ctx.loaders);
  if (!loaders) {
    loaders = createWebhookLoaders(ctx.runtime.db);
    perRequest.set(ctx.loaders, loaders);
  }
  return loaders;
}

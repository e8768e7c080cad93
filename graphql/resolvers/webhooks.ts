import { notFound } from "../../lib/errors";
import { createWebhook, deleteWebhook, redeliver, updateWebhook } from "../../lib/webhooks/manage";
import { getDelivery, listWebhooks, MAX_DELIVERIES_PAGE } from "../../lib/webhooks/queries";
import { webhookPolicy } from "../../lib/webhooks/target";
import { requireRole, scopeNamespace } from "../auth";
import type { GraphQLContext } from "../context";
import type { Resolvers } from "../generated/resolvers";
import { webhookLoaders } from "../webhook-loaders";
import { intIn } from "./shared";

const policyOf = (ctx: GraphQLContext) => webhookPolicy(ctx.runtime.settings.httpAllowedHosts);

/**
 * Webhooks (SPEC §11): admins only — viewers and operators get FORBIDDEN before anything
 * is read — and only the token's namespace (another's webhooks and deliveries are
 * NOT_FOUND, like missing ones). The signing secret leaves the server once, in
 * `createWebhook`'s answer; no other field carries it.
 */
export const webhookResolvers: Resolvers = {
  Query: {
    webhooks: (_, { namespace }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? listWebhooks(ctx.runtime.db, scoped) : [];
    },
  },
  Mutation: {
    createWebhook: (_, { input }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      return createWebhook(
        ctx.runtime.db,
        {
          namespace: ctx.viewer.namespace,
          url: input.url,
          events: input.events,
          enabled: input.enabled,
          createdBy: ctx.viewer.name,
        },
        policyOf(ctx),
      );
    },
    updateWebhook: (_, { id, input }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      return updateWebhook(ctx.runtime.db, ctx.viewer.namespace, id, input, policyOf(ctx));
    },
    deleteWebhook: (_, { id }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      return deleteWebhook(ctx.runtime.db, ctx.viewer.namespace, id);
    },
    redeliver: async (_, { deliveryId }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      await redeliver(ctx.runtime.db, ctx.viewer.namespace, deliveryId);
      const delivery = await getDelivery(ctx.runtime.db, ctx.viewer.namespace, deliveryId);
      if (!delivery) throw notFound("delivery");
      return delivery;
    },
  },
  Webhook: {
    deliveries: (w, { first }, ctx) =>
      webhookLoaders(ctx).deliveries.load({
        webhookId: w.id,
        first: intIn(first, "first", 1, MAX_DELIVERIES_PAGE, 10),
      }),
  },
  WebhookDelivery: {
    nextAttemptAt: (d) => (d.status === "PENDING" ? d.nextAttemptAt : null),
    attemptLog: (d, _, ctx) => webhookLoaders(ctx).attempts.load(d.id),
  },
};

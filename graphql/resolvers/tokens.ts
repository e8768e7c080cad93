import { createToken, getToken, listTokens, revokeToken } from "../../lib/auth/tokens";
import { notFound } from "../../lib/errors";
import { requireRole, scopeNamespace } from "../auth";
import type { Resolvers } from "../generated/resolvers";

/**
 * Token administration (admin role, own namespace only: another namespace's tokens look
 * missing, like its runs). Revoking ends the token's live subscriptions at once in this
 * process and within seconds in others (guard/revocation.ts).
 */
export const tokenResolvers: Resolvers = {
  Query: {
    tokens: (_, { namespace }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? listTokens(ctx.runtime.db, scoped) : [];
    },
  },
  Mutation: {
    createToken: async (_, { input }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      const namespace = scopeNamespace(ctx.viewer, input.namespace);
      if (!namespace) throw notFound("namespace");
      const { token, secret } = await createToken(ctx.runtime.db, { namespace, name: input.name, role: input.role });
      const { tokenHash: _hash, ...info } = token;
      return { token: info, secret };
    },
    revokeToken: async (_, { id }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      const namespace = ctx.viewer.namespace;
      const before = await getToken(ctx.runtime.db, namespace, id);
      if (!before) throw notFound("token");
      await revokeToken(ctx.runtime.db, id, namespace);
      // End its live subscriptions now; its browser sessions' (revoked with it) too.
      ctx.access.live.revoked(id);
      void ctx.access.live.check();
      const after = await getToken(ctx.runtime.db, namespace, id);
      if (!after) throw notFound("token");
      return after;
    },
  },
};

import { getNamespaceSettings, setNamespaceSettings } from "../../lib/namespaces/settings";
import { requireRole } from "../auth";
import type { GraphQLContext } from "../context";
import type { Resolvers } from "../generated/resolvers";

const withServer = (ctx: GraphQLContext, ns: { name: string; allowCommands: boolean }) => ({
  ...ns,
  commandsAvailable: ctx.runtime.settings.allowCommands,
});

/** The caller's namespace settings: readable by anyone in it, changed by its admins only. */
export const namespaceResolvers: Resolvers = {
  Query: {
    namespace: async (_, __, ctx) => withServer(ctx, await getNamespaceSettings(ctx.runtime.db, ctx.viewer.namespace)),
  },
  Mutation: {
    setNamespaceSettings: async (_, { allowCommands }, ctx) => {
      requireRole(ctx.viewer, "ADMIN");
      const ns = await setNamespaceSettings(ctx.runtime.db, ctx.viewer.namespace, { allowCommands });
      return withServer(ctx, ns);
    },
  },
};

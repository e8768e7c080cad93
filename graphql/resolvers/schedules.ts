import { commandsAllowed } from "../../lib/namespaces/settings";
import { nextFires, parseCron } from "../../lib/schedules/cron";
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  setScheduleEnabled,
  updateSchedule,
} from "../../lib/schedules/schedules";
import { requireRole, scopeNamespace } from "../auth";
import type { GraphQLContext } from "../context";
import type { Resolvers } from "../generated/resolvers";
import { scheduleLoaders } from "../schedule-loaders";
import { intIn } from "./shared";

const options = async (ctx: GraphQLContext) => ({
  allowCommands: await commandsAllowed(ctx.runtime.db, ctx.runtime.settings.allowCommands, ctx.viewer.namespace),
});

/** Viewers read schedules; operators manage them. Always in the token's namespace. */
export const scheduleResolvers: Resolvers = {
  Query: {
    schedules: (_, { namespace }, ctx) => {
      const scoped = scopeNamespace(ctx.viewer, namespace);
      return scoped ? listSchedules(ctx.runtime.db, scoped) : [];
    },
    schedule: (_, { id }, ctx) => getSchedule(ctx.runtime.db, ctx.viewer.namespace, id),
  },
  Mutation: {
    createSchedule: async (_, { input }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      return createSchedule(
        ctx.runtime.db,
        ctx.viewer.namespace,
        { ...input, createdBy: ctx.viewer.name },
        await options(ctx),
      );
    },
    updateSchedule: async (_, { id, input }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      return updateSchedule(ctx.runtime.db, ctx.viewer.namespace, id, input, await options(ctx));
    },
    setScheduleEnabled: (_, { id, enabled }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      return setScheduleEnabled(ctx.runtime.db, ctx.viewer.namespace, id, enabled);
    },
    deleteSchedule: (_, { id }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      return deleteSchedule(ctx.runtime.db, ctx.viewer.namespace, id);
    },
  },
  Schedule: {
    nextFireTimes: (s, { count }) => {
      const n = intIn(count, "count", 1, 50, 5);
      return s.enabled ? nextFires(parseCron(s.cron, s.timezone), new Date(), n) : [];
    },
    lastRun: async (s, _, ctx) => (await scheduleLoaders(ctx).runs.load({ scheduleId: s.id, first: 1 }))[0] ?? null,
    runs: (s, { first }, ctx) =>
      scheduleLoaders(ctx).runs.load({ scheduleId: s.id, first: intIn(first, "first", 1, 100, 10) }),
    fires: (s, { first }, ctx) =>
      scheduleLoaders(ctx).fires.load({ scheduleId: s.id, first: intIn(first, "first", 1, 100, 10) }),
  },
  ScheduleFire: {
    run: (f, _, ctx) => (f.runId ? ctx.loaders.run.load(f.runId) : null),
  },
  Run: {
    schedule: (r, _, ctx) => {
      if (!r.scheduleId) return null;
      return scheduleLoaders(ctx).schedule.load(r.scheduleId);
    },
  },
};

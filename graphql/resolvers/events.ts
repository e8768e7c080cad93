import { notFound } from "../../lib/errors";
import { readEvents } from "../../lib/events/read";
import { EVENT_TYPENAME, flattenEvent } from "../../lib/events/shape";
import { type EventPage, MAX_PAGE, type RunEventRecord } from "../../lib/events/types";
import { getRun } from "../../lib/runs/queries";
import type { Resolvers } from "../generated/resolvers";
import { observeSubscription } from "../live/observe";
import type { EventModel, EventPageModel } from "../models";
import { intIn } from "./shared";

const shaped = new WeakMap<RunEventRecord, EventModel>();

/**
 * A stored event in its GraphQL shape: payload fields beside the common ones (the payload
 * carries full node snapshots, so nothing is read from the database). Memoized per record:
 * the live feed hands one record object to all of a run's subscribers in this process.
 */
function shapeEvent(e: RunEventRecord): EventModel {
  let s = shaped.get(e);
  if (!s) {
    s = flattenEvent(e);
    shaped.set(e, s);
  }
  return s;
}

export const eventPage = (p: EventPage): EventPageModel => ({ ...p, events: p.events.map(shapeEvent) });

const afterSeqArg = (v: number | null | undefined) => intIn(v, "afterSeq", 0, 2 ** 31 - 1, 0);

export const eventResolvers: Resolvers = {
  RunEvent: {
    __resolveType: (e) => EVENT_TYPENAME[e.type],
  },
  // Events written before the results store carried the whole table: offset 0.
  ResultsEvent: {
    offset: (e) => (typeof e.offset === "number" ? e.offset : 0),
    total: (e) =>
      typeof e.total === "number" ? e.total : ((e.results as { rows?: unknown[] } | undefined)?.rows?.length ?? 0),
  },
  Query: {
    events: async (_, args, ctx) => {
      const run = await ctx.loaders.run.load(args.runId);
      if (!run) throw notFound("run");
      const page = await readEvents(ctx.runtime.db, run.id, {
        afterSeq: afterSeqArg(args.afterSeq),
        limit: intIn(args.first, "first", 1, MAX_PAGE, 500),
        types: args.types ?? undefined,
      });
      return eventPage(page);
    },
  },
  Subscription: {
    runEvents: {
      /**
       * The gapless backlog + live join is EventHub.stream's job (listen, read backlog by
       * pages, then take only seq > cursor); this only authorizes and shapes.
       */
      subscribe: async (_, args, ctx) => {
        const afterSeq = afterSeqArg(args.afterSeq);
        const run = await getRun(ctx.runtime.db, ctx.viewer.namespace, args.runId);
        if (!run) throw notFound("run");
        const types = args.types ?? undefined;
        // Only the id from here on: the generator lives as long as the subscription, and
        // the run row (spec, params, results) would stay in memory with it.
        const runId = run.id;
        const observed = observeSubscription(ctx.transport);
        // The stream itself is the subscription's source: no generator around it (this sits
        // on every delivery's path). Shaping happens in `resolve`, once per event and
        // selection (live/shared-execution.ts), not once per subscriber.
        return ctx.runtime.events.stream(runId, afterSeq, {
          types,
          onEvent: (e) => observed.delivered(e.at),
          onEnd: () => observed.closed(),
        });
      },
      resolve: (e: RunEventRecord) => shapeEvent(e),
    },
  },
};

import { readMetricPoints } from "../../lib/runs/metric-points";
import type { Resolvers } from "../generated/resolvers";

/** Node metric series (lib/runs/metric-points.ts): kept in the NODE_STATE events that record them. */
export const metricResolvers: Resolvers = {
  NodeStateEvent: {
    // Points are in the event's payload beside `node`; the event's seq is theirs.
    metricPoints: (e) =>
      (
        (e as { metricPoints?: { nodeKey: string; name: string; value: number; attempt: number; at: string }[] })
          .metricPoints ?? []
      ).map((p) => ({ ...p, seq: e.seq })),
  },
  Run: {
    // Only reachable on run(id) (graphql/guard/cost.ts): one query for the run's series.
    metricPoints: (r, _, ctx) => readMetricPoints(ctx.runtime.db, r.id),
  },
};

import { assertLeaseMs, claimExternal, type ExternalClaim, nextExternalAt } from "../../lib/engine/leases";
import { completeNode, failNode, heartbeat, type LeaseRef, releaseNode, reportProgress } from "../../lib/engine/report";
import { MAX_CLAIM_WAIT_MS } from "../../lib/engine/work-bell";
import { DomainError, notFound } from "../../lib/errors";
import { LOG_LEVELS, type LogLevel } from "../../lib/events/types";
import type { ReportedMetric } from "../../lib/runs/metric-points";
import { getNodeRef, type NodeRef } from "../../lib/runs/queries";
import { requireRole } from "../auth";
import type { GraphQLContext } from "../context";
import type { NodeReportInput, Resolvers } from "../generated/resolvers";
import { jsonObject } from "./shared";

/** Limits per report call, so one worker cannot flood a run's log in a single request. */
const MAX_LOGS = 1_000;
const MAX_RESULTS = 1_000;
const MAX_METRIC_POINTS = 1_000;
const MAX_LINE = 8_192;

/**
 * The worker protocol is operator-level; the node must be in the caller's namespace, an
 * `external` node (built-in kinds are the engine's: completing a sleep or a gate from
 * outside would skip its work or its human), and leased by the caller's token at `epoch`
 * — the epoch is a small counter, so it fences stale workers but proves nothing alone.
 * A lease held at `epoch` by another token is LEASE_LOST, as a stale epoch is; the
 * engine re-checks the epoch under the node's lock when it writes.
 */
async function leasedNode(ctx: GraphQLContext, nodeId: string, epoch: number): Promise<NodeRef & LeaseRef> {
  requireRole(ctx.viewer, "OPERATOR");
  const ref = await getNodeRef(ctx.runtime.db, ctx.viewer.namespace, nodeId);
  if (!ref) throw notFound("node");
  if (ref.kind !== "external") {
    throw new DomainError(
      "FORBIDDEN",
      `${ref.kind} nodes are run by the engine; only external nodes are reported through the worker API`,
    );
  }
  if (ref.leaseEpoch === epoch && ref.leaseTokenId !== ctx.viewer.tokenId) {
    throw new DomainError("LEASE_LOST", `lease (epoch ${epoch}) is not held by this token`);
  }
  return { ...ref, epoch };
}

async function nodeAfter(ctx: GraphQLContext, nodeId: string) {
  const node = await ctx.loaders.node.load(nodeId);
  if (!node) throw notFound("node");
  return node;
}

/**
 * The report's metric values in order: `metricPoints` (each with its time, never later than
 * now) and then `metrics` (a name → latest value map, timed now; what older workers send).
 */
function metricsOf(input: NodeReportInput): ReportedMetric[] | undefined {
  const now = Date.now();
  const out: ReportedMetric[] = [];
  if ((input.metricPoints?.length ?? 0) > MAX_METRIC_POINTS)
    throw new DomainError("BAD_INPUT", `at most ${MAX_METRIC_POINTS} metric points per report`);
  for (const p of input.metricPoints ?? []) {
    if (!Number.isFinite(p.value)) throw new DomainError("BAD_INPUT", `metric ${p.name} must be a number`);
    const at = p.at ? Math.min(now, new Date(p.at as string | Date).getTime()) : now;
    out.push({ name: p.name, value: p.value, at: Number.isFinite(at) ? at : now });
  }
  const m = jsonObject(input.metrics, "metrics");
  for (const [k, v] of Object.entries(m ?? {})) {
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new DomainError("BAD_INPUT", `metric ${k} must be a number`);
    // A worker sending both reports each value once, in metricPoints.
    if (!input.metricPoints?.some((p) => p.name === k)) out.push({ name: k, value: v, at: now });
  }
  return out.length ? out : undefined;
}

function parseReport(input: NodeReportInput) {
  if (input.costDelta != null && (!Number.isFinite(input.costDelta) || input.costDelta < 0)) {
    throw new DomainError("BAD_INPUT", "costDelta must be a non-negative number");
  }
  if ((input.logs?.length ?? 0) > MAX_LOGS) throw new DomainError("BAD_INPUT", `at most ${MAX_LOGS} logs per report`);
  if ((input.results?.length ?? 0) > MAX_RESULTS) {
    throw new DomainError("BAD_INPUT", `at most ${MAX_RESULTS} result rows per report`);
  }
  return {
    progress: input.progress ?? undefined,
    costDelta: input.costDelta ?? undefined,
    metrics: metricsOf(input),
    logs: input.logs?.map((l) => ({
      level: (LOG_LEVELS.includes(l.level as LogLevel) ? l.level : "INFO") as LogLevel,
      message: l.message.slice(0, MAX_LINE),
    })),
    results: input.results?.map((r, i) => jsonObject(r, `results[${i}]`) ?? {}),
  };
}

/**
 * A claim that long-polls for up to `waitMs`: armed on the work bell before each look, so
 * work queued between a look and the wait wakes it. Ends early (null) when the client goes
 * away or the server shuts down.
 */
async function claimWaiting(
  ctx: GraphQLContext,
  queue: string,
  claim: () => Promise<ExternalClaim | null>,
  waitMs: number,
): Promise<ExternalClaim | null> {
  const deadline = Date.now() + waitMs;
  const signal = ctx.request?.signal;
  for (;;) {
    const waiter = ctx.runtime.workBell.arm();
    const found = await claim();
    const left = deadline - Date.now();
    if (found || left <= 0 || signal?.aborted || ctx.runtime.workBell.isClosed) {
      waiter.disarm();
      return found;
    }
    // A retry waiting out its delay rings no doorbell when the delay ends: look again then.
    const next = await nextExternalAt(ctx.runtime.db, ctx.viewer.namespace, queue);
    const until = next ? Math.max(0, next.getTime() - Date.now()) + 5 : left;
    await waiter.wait(Math.min(left, until), signal);
  }
}

export const workerResolvers: Resolvers = {
  Mutation: {
    claimNode: (_, { queue, leaseMs, worker, waitMs }, ctx) => {
      requireRole(ctx.viewer, "OPERATOR");
      if (leaseMs != null) assertLeaseMs(leaseMs);
      if (waitMs != null && (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_CLAIM_WAIT_MS)) {
        throw new DomainError("BAD_INPUT", `waitMs must be 0..${MAX_CLAIM_WAIT_MS}`);
      }
      const owner = `${(worker ?? "external").slice(0, 100)}@${ctx.viewer.name}`;
      const claim = () =>
        claimExternal(ctx.runtime.db, {
          namespace: ctx.viewer.namespace,
          queue,
          owner,
          leaseMs: leaseMs ?? undefined,
          tokenId: ctx.viewer.tokenId,
        });
      return waitMs ? claimWaiting(ctx, queue, claim, waitMs) : claim();
    },
    releaseNode: async (_, { nodeId, epoch, reason }, ctx) => {
      await releaseNode(ctx.runtime.db, await leasedNode(ctx, nodeId, epoch), reason ?? "released by the worker");
      return nodeAfter(ctx, nodeId);
    },
    heartbeatNode: async (_, { nodeId, epoch, leaseMs }, ctx) => {
      const ref = await leasedNode(ctx, nodeId, epoch);
      if (leaseMs != null) assertLeaseMs(leaseMs);
      const lost = await heartbeat(ctx.runtime.db, [ref], leaseMs ?? ref.leaseMs);
      if (lost.length) throw new DomainError("LEASE_LOST", `lease (epoch ${epoch}) is no longer held`);
      return true;
    },
    reportNode: async (_, { input }, ctx) => {
      const report = parseReport(input);
      await reportProgress(ctx.runtime.db, await leasedNode(ctx, input.nodeId, input.epoch), report);
      return true;
    },
    completeNode: async (_, { nodeId, epoch, output }, ctx) => {
      await completeNode(ctx.runtime.db, await leasedNode(ctx, nodeId, epoch), output ?? null);
      return nodeAfter(ctx, nodeId);
    },
    failNode: async (_, { nodeId, epoch, error }, ctx) => {
      await failNode(ctx.runtime.db, await leasedNode(ctx, nodeId, epoch), error);
      return nodeAfter(ctx, nodeId);
    },
  },
  NodeLease: {
    node: (l, _, ctx) => nodeAfter(ctx, l.nodeId),
  },
};

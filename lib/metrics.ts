import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics (served at /api/metrics). One registry per process, kept on
 * globalThis because Next's bundles may load a second copy of lib/.
 */
function build() {
  const registry = new Registry();
  // Node/process defaults as signalbox_process_resident_memory_bytes, signalbox_nodejs_heap_size_used_bytes, …
  collectDefaultMetrics({ register: registry, prefix: "signalbox_" });
  const m = {
    registry,
    connections: new Gauge({
      name: "signalbox_open_connections",
      help: "Open live connections",
      labelNames: ["transport"],
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: "signalbox_open_subscriptions",
      help: "Open subscriptions",
      labelNames: ["transport"],
      registers: [registry],
    }),
    eventsAppended: new Counter({
      name: "signalbox_events_appended_total",
      help: "Events appended to run logs",
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: "signalbox_events_delivered_total",
      help: "Events sent to subscribers",
      labelNames: ["transport"],
      registers: [registry],
    }),
    commitToSend: new Histogram({
      name: "signalbox_commit_to_send_seconds",
      help: "Time from an event's commit to its send to a subscriber",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    slowConsumerCloses: new Counter({
      name: "signalbox_slow_consumer_closes_total",
      help: "Subscribers closed for falling behind (WebSocket 1013, SSE stream ended)",
      labelNames: ["transport"],
      registers: [registry],
    }),
    outboundBuffered: new Gauge({
      name: "signalbox_outbound_buffered_bytes",
      help: "Bytes queued in this process for live clients that have not been written to their sockets yet",
      labelNames: ["transport"],
      registers: [registry],
    }),
    operations: new Counter({
      name: "signalbox_graphql_operations_total",
      help: "GraphQL operations that passed validation and were executed",
      labelNames: ["transport", "operation"],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "signalbox_graphql_rejected_total",
      help: "Requests and operations refused before execution: unauthenticated, address_blocked, rate_limited, origin, ws_operations, body_too_large, response_too_large, token_connections, address_connections, token_subscriptions",
      labelNames: ["reason"],
      registers: [registry],
    }),
    leaseExpiries: new Counter({
      name: "signalbox_lease_expiries_total",
      help: "Node leases that expired (worker lost)",
      registers: [registry],
    }),
    scheduleFires: new Counter({
      name: "signalbox_schedule_fires_total",
      help: "Schedule fire times this process handled, by outcome (run, skipped)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    nodesClaimed: new Counter({
      name: "signalbox_nodes_claimed_total",
      help: "Nodes claimed by workers in this process",
      registers: [registry],
    }),
    feedReads: new Counter({
      name: "signalbox_event_feed_reads_total",
      help: "Reads of the event log by live run feeds (result: ok, error); errors back off",
      labelNames: ["result"],
      registers: [registry],
    }),
  };
  return m;
}

type Metrics = ReturnType<typeof build>;
const g = globalThis as { __signalboxMetrics?: Metrics };

export const metrics: Metrics = g.__signalboxMetrics ?? build();
g.__signalboxMetrics = metrics;

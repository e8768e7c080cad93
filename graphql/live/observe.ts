import { metrics } from "../../lib/metrics";

/** Which transport carries an operation (the `transport` label of lib/metrics.ts). */
export type Transport = "http" | "sse" | "graphql-sse" | "ws";

/**
 * Count one open subscription until `finally`, and each delivered value. Values with an
 * `at` later than the subscription's start are live: their commit → send latency is
 * observed (backlog replays would only measure how old the history is).
 */
export function observeSubscription(transport: Transport) {
  const started = Date.now();
  metrics.subscriptions.inc({ transport });
  // Bound once: `inc({transport})` would hash the labels on every delivery.
  const deliveries = metrics.eventsDelivered.labels({ transport });
  return {
    delivered(at?: Date) {
      deliveries.inc();
      if (at && at.getTime() >= started) metrics.commitToSend.observe((Date.now() - at.getTime()) / 1000);
    },
    closed() {
      metrics.subscriptions.dec({ transport });
    },
  };
}

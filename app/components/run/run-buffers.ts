import type { EventOf } from "@/app/graphql/types";
import { MetricSeries } from "../metrics/metric-series";
import { NodeTransitions } from "../timeline/timeline-model";
import { BoundedBuffer } from "./bounded-buffer";
import { type EventRow, type LogRow, toEventRow, toLogRow } from "./event-rows";
import type { ConsoleEvent, MetricPointView } from "./types";

/** Client-side bounds (SPEC §8: high-rate streams stay in bounded buffers). */
const EVENT_BUFFER = 20_000;
const LOG_BUFFER = 100_000;

/**
 * The run's event stream and log lines, outside React state and outside the normalized
 * cache. `append` takes each seq once, so the buffers and the reducer see the same events.
 */
export class RunBuffers {
  readonly events = new BoundedBuffer<EventRow>(EVENT_BUFFER);
  readonly logs = new BoundedBuffer<LogRow>(LOG_BUFFER);
  /** Nodes that have logged, for the logs panel's node filter. */
  readonly logNodes = new Set<string>();
  /** Each node's status changes, for the timeline. */
  readonly transitions = new NodeTransitions();
  /** Every metric value, by name and node (the charts). */
  readonly metrics: MetricSeries;
  private lastSeq = 0;
  /** The oldest seq held (history before it can be loaded with `prepend`). */
  firstSeq = 0;

  /** `originMs`: the run's creation (the metric charts count from it). */
  constructor(history: readonly ConsoleEvent[], metricPoints: readonly MetricPointView[] = [], originMs = 0) {
    this.metrics = new MetricSeries(metricPoints, originMs);
    this.append(history);
    this.transitions.historyBefore = this.firstSeq;
  }

  /** Adds the events not seen yet (seq above the last one) and returns them. */
  append(events: readonly ConsoleEvent[]): ConsoleEvent[] {
    const fresh: ConsoleEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      fresh.push(e);
      this.events.push(toEventRow(e));
      if (e.__typename === "LogEvent") {
        this.logs.push(toLogRow(e));
        if (e.nodeKey) this.logNodes.add(e.nodeKey);
      } else this.observe(e);
    }
    if (fresh.length) {
      if (this.firstSeq === 0) this.firstSeq = fresh[0].seq;
      this.events.commit();
      this.logs.commit();
      this.metrics.commit();
    }
    return fresh;
  }

  /** Node status changes (the timeline) and metric values (the charts). */
  private observe(e: ConsoleEvent) {
    if (e.__typename === "NodeStateEvent" && e.metricPoints.length) this.metrics.addEvent(e.seq, e.metricPoints);
    if (e.__typename === "NodeStateEvent" || e.__typename === "GateWaitingEvent" || e.__typename === "GateDecidedEvent")
      this.transitions.record(e.node.key, e.node.status, Date.parse(e.at));
    else if (e.__typename === "DagMutatedEvent")
      for (const n of e.addedNodes) this.transitions.record(n.key, n.status, Date.parse(e.at));
  }

  /** Older events (loaded on demand) go before what the buffers hold. */
  prepend(older: readonly ConsoleEvent[]): void {
    const before = older.filter((e) => e.seq < this.firstSeq || this.firstSeq === 0);
    if (before.length === 0) return;
    this.firstSeq = before[0].seq;
    this.events.prepend(before.map(toEventRow));
    const logs = before.filter((e): e is EventOf<"LogEvent"> => e.__typename === "LogEvent");
    for (const e of logs) if (e.nodeKey) this.logNodes.add(e.nodeKey);
    this.logs.prepend(logs.map(toLogRow));
  }
}

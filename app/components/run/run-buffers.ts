import { BoundedBuffer } from "./bounded-buffer";
import { type EventRow, type LogRow, toEventRow, toLogRow } from "./event-rows";
import type { ConsoleEvent } from "./types";

/** Client-side bounds (SPEC §8: high-rate streams stay in bounded buffers). */
export const EVENT_BUFFER = 20_000;
export const LOG_BUFFER = 100_000;

/**
 * The run's event stream and log lines, outside React state and outside the normalized
 * cache. `append` takes each seq once, so the buffers and the reducer see the same events.
 */
export class RunBuffers {
  readonly events = new BoundedBuffer<EventRow>(EVENT_BUFFER);
  readonly logs = new BoundedBuffer<LogRow>(LOG_BUFFER);
  /** Nodes that have logged, for the logs panel's node filter. */
  readonly logNodes = new Set<string>();
  private lastSeq = 0;

  constructor(history: readonly ConsoleEvent[]) {
    this.append(history);
  }

  /** Adds the events not seen yet (seq above the last one) and returns them. */
  append(events: readonly ConsoleEvent[]): ConsoleEvent[] {
    const fresh: ConsoleEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      fresh.push(e);
      this.events.push(toEventRow(e));
      if (e.type === "LOG") {
        this.logs.push(toLogRow(e));
        if (e.nodeKey) this.logNodes.add(e.nodeKey);
      }
    }
    if (fresh.length) {
      this.events.commit();
      this.logs.commit();
    }
    return fresh;
  }
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "../lib/log";
import { metrics } from "../lib/metrics";
import { SLOW_BUFFER_BYTES, SLOW_STALL_MS } from "./live/frames";
import type { Transport } from "./live/observe";

/**
 * Events of one stream are written together, as over WebSocket (live/frames.ts): the
 * response is corked at its first write of a tick and uncorked at the end of it, so a
 * doorbell's events or a backlog page leave in one `writev`, not a syscall per event.
 * Backpressure is unchanged: `write` still returns false past the high-water mark.
 */
function corkPerTick(res: ServerResponse): void {
  const write = res.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  res.write = function (this: ServerResponse, ...args: Parameters<ServerResponse["write"]>) {
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args as never);
  } as ServerResponse["write"];
}

/**
 * Open SSE responses (yoga's SSE and graphql-sse): counted in the connections gauge,
 * ended at shutdown, and cut off when their client stops reading. The SSE writers wait
 * for `drain` before the next chunk, so a stalled client holds little memory, but it
 * would hold its subscription forever: a response whose writes have been blocked for
 * SLOW_STALL_MS (or that queued more than SLOW_BUFFER_BYTES) is destroyed, like a
 * WebSocket closed with 1013; the client reconnects and resumes from its last seq.
 */
export class EventStreams {
  private open = new Map<ServerResponse, { transport: Transport; blockedSince: number }>();
  private timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.checkSlow(), 1_000);
    this.timer.unref();
  }

  /** Track `res` if the request asks for an event stream. */
  track(req: IncomingMessage, res: ServerResponse, transport: Transport): void {
    if (!String(req.headers.accept ?? "").includes("text/event-stream")) return;
    this.open.set(res, { transport, blockedSince: 0 });
    corkPerTick(res);
    metrics.connections.inc({ transport });
    res.once("close", () => {
      this.open.delete(res);
      metrics.connections.dec({ transport });
    });
  }

  get size(): number {
    return this.open.size;
  }

  private checkSlow(now = Date.now()) {
    const buffered: Record<string, number> = { sse: 0, "graphql-sse": 0 };
    for (const [res, s] of this.open) {
      buffered[s.transport] = (buffered[s.transport] ?? 0) + res.writableLength;
      if (!res.writableNeedDrain) {
        s.blockedSince = 0;
        continue;
      }
      s.blockedSince ||= now;
      if (now - s.blockedSince > SLOW_STALL_MS || res.writableLength > SLOW_BUFFER_BYTES) {
        metrics.slowConsumerCloses.inc({ transport: s.transport });
        log.info({ transport: s.transport }, "slow SSE consumer cut off");
        this.open.delete(res);
        res.destroy();
      }
    }
    for (const [transport, bytes] of Object.entries(buffered)) metrics.outboundBuffered.set({ transport }, bytes);
  }

  /** Shutdown: end every stream (the subscriptions were already told to stop). */
  async close(graceMs = 2_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + graceMs;
    while (this.open.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const res of this.open.keys()) res.destroy();
  }
}

import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from "graphql";
import { WebSocket, type WebSocketServer } from "ws";
import { metrics } from "../../lib/metrics";

/**
 * Serialize each live result once, not once per WebSocket subscriber (SPEC §9).
 *
 * graphql-ws stringifies every frame `{id, type: "next", payload}` itself. Its `onNext`
 * hook hands it a stand-in payload carrying the result's JSON (cached per result object,
 * and results are shared across subscribers by shared-execution.ts); the JSON replacer
 * turns the stand-in into a short marker; `FrameSocket.send` splices the cached JSON in.
 * Stringify → send is one synchronous call in graphql-ws, so a single pending slot is
 * enough. Anything unexpected falls back to graphql-ws' own serialization.
 */
const RAW = Symbol("serialized payload");
const MARK = "__signalbox_serialized_payload__";
const TAIL = `"payload":"${MARK}"}`;

const serialized = new WeakMap<object, string>();
let pending: string | null = null;

type Stand = { [RAW]: string };

/**
 * A result's JSON, computed once per result object (results are shared by every
 * subscriber of a run with the same selection). Errors in graphql-ws' format.
 */
export function resultJson(result: ExecutionResult): string {
  let json = serialized.get(result);
  if (json === undefined) {
    // GraphQLError#toJSON gives exactly graphql-ws' own error format.
    json = JSON.stringify(result.errors ? { ...result, errors: result.errors.map(wireError) } : result);
    serialized.set(result, json);
  }
  return json;
}

/** graphql-ws `onNext`: the result as a stand-in holding its (cached) JSON. */
export function serializedOnce(result: ExecutionResult): Stand {
  return { [RAW]: resultJson(result) };
}

/**
 * An error as a WebSocket client sees it: the `http` extension (the status an HTTP
 * response would get, see graphql/errors.ts) means nothing on a socket.
 */
export function wireError(error: GraphQLError): GraphQLFormattedError {
  const json = error.toJSON();
  if (!json.extensions || !("http" in json.extensions)) return json;
  const { http: _http, ...extensions } = json.extensions;
  return { ...json, extensions };
}

/** graphql-ws `jsonMessageReplacer`. */
export function frameReplacer(key: string, value: unknown): unknown {
  if (key === "payload" && value && typeof value === "object" && RAW in value) {
    pending = (value as Stand)[RAW];
    return MARK;
  }
  return value;
}

/** The frame with the pending payload JSON in place of the marker. */
export function spliceFrame(data: string): string {
  if (pending === null || !data.endsWith(TAIL)) return data;
  const out = `${data.slice(0, data.length - MARK.length - 3)}${pending}}`;
  pending = null;
  return out;
}

/**
 * Slow consumers. graphql-ws awaits each frame's write callback before pulling the next
 * result of that subscription, so a subscriber that stops reading holds at most about one
 * frame per subscription in our memory (plus the kernel's socket buffers) — but it would
 * hold its subscriptions, and fall ever further behind, for as long as its connection
 * lived. A connection whose oldest unwritten frame has waited longer than SLOW_STALL_MS,
 * or that has more than SLOW_BUFFER_BYTES queued, is closed with 1013 ("try again later"):
 * the client reconnects and resumes from the last seq it received, reading the backlog
 * from the database at its own pace. Healthy subscribers on the same run are unaffected:
 * nothing waits for the slowest.
 */
export const SLOW_STALL_MS = 5_000;
export const SLOW_BUFFER_BYTES = 4 * 1024 * 1024;
/** After the 1013 close frame, a peer that never reads it is cut off. */
const SLOW_CLOSE_GRACE_MS = 10_000;
const SLOW_CLOSE_CODE = 1013;

/**
 * Frames of one socket are written together (measured by bench/fanout.ts). graphql-ws
 * awaits each frame's write callback before it pulls the subscription's next result, so
 * every frame cost a write syscall of its own (and a wake-up of the reader): ~7 µs of
 * system time per delivery, a quarter of the server's fan-out cost (~1 µs now). Instead
 * the socket stays corked until the end of the tick, and graphql-ws is acknowledged at
 * once while less than COALESCE_BYTES is queued on the socket, so the events of one
 * doorbell leave in one `writev`. Past that, the acknowledgement waits for the write as
 * before, so the slow-consumer bounds hold.
 */
const COALESCE_BYTES = 64 * 1024;

/** The server-side socket class (ws `WebSocket` option): spliced frames + slow-consumer tracking. */
export class FrameSocket extends WebSocket {
  /** Start times of frames handed to ws whose write has not completed, oldest first. */
  private unwritten: number[] = [];
  private slowClosed = false;
  private corked = false;

  // biome-ignore lint/suspicious/noExplicitAny: forwards ws' overloaded signature unchanged
  override send(data: any, ...rest: any[]): void {
    const cb = typeof rest.at(-1) === "function" ? (rest.pop() as (err?: Error) => void) : undefined;
    if (this.bufferedAmount > SLOW_BUFFER_BYTES) {
      this.closeSlow();
      cb?.();
      return;
    }
    const started = Date.now();
    this.unwritten.push(started);
    const early = cb !== undefined && this.bufferedAmount < COALESCE_BYTES;
    this.corkForTick();
    super.send(typeof data === "string" ? spliceFrame(data) : data, ...rest, (err?: Error) => {
      const i = this.unwritten.indexOf(started);
      if (i !== -1) this.unwritten.splice(i, 1);
      if (!early) cb?.(err);
    });
    // A failed write closes the socket; graphql-ws learns it from the close.
    if (early) cb();
  }

  /** Cork the TCP socket (ws' `_socket`, ws is pinned) until the current tick's frames are queued. */
  private corkForTick(): void {
    const socket = (this as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (this.corked || !socket) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /**
   * A client that sends a server-to-client message (`connection_ack`, `next`, `error`)
   * violates the protocol: graphql-ws' server throws on those and closes with 4500, which
   * tells clients to give up. Close with 4400 "bad message" instead, before graphql-ws sees it.
   */
  // biome-ignore lint/suspicious/noExplicitAny: forwards EventEmitter's signature unchanged
  override emit(event: string | symbol, ...args: any[]): boolean {
    if (event === "message" && isServerMessage(args[0])) {
      this.close(4400, "Invalid message received");
      return true;
    }
    return super.emit(event, ...args);
  }

  /** How long the oldest unwritten frame has waited (0 when none). */
  stalledFor(now = Date.now()): number {
    return this.unwritten.length ? now - this.unwritten[0] : 0;
  }

  closeSlow(): void {
    if (this.slowClosed || this.readyState !== WebSocket.OPEN) return;
    this.slowClosed = true;
    metrics.slowConsumerCloses.inc({ transport: "ws" });
    this.close(SLOW_CLOSE_CODE, "Slow consumer: resume from your last seq");
    setTimeout(() => this.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }
}

const SERVER_ONLY = new Set(["connection_ack", "next", "error"]);

function isServerMessage(data: unknown): boolean {
  const text = String(data);
  if (!/"(connection_ack|next|error)"/.test(text)) return false;
  try {
    const type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    return typeof type === "string" && SERVER_ONLY.has(type);
  } catch {
    return false; // not JSON: graphql-ws closes with 4400 itself
  }
}

/** Check every second for stalled sockets; returns a stop function. */
export function watchSlowSockets(wss: WebSocketServer): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    let buffered = 0;
    for (const socket of wss.clients) {
      buffered += socket.bufferedAmount;
      if (socket instanceof FrameSocket && socket.stalledFor(now) > SLOW_STALL_MS) socket.closeSlow();
    }
    metrics.outboundBuffered.set({ transport: "ws" }, buffered);
  }, 1_000);
  timer.unref();
  return () => clearInterval(timer);
}

import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";
import { type ErrorCode, fromGraphQLErrors, SignalboxError } from "./errors.js";
import { EventsPageDocument, type RunEventFieldsFragment, RunHeadDocument, WatchRunDocument } from "./generated.js";
import { type Connection, causeOf, endpoint, request } from "./http.js";
import { sleep } from "./sleep.js";
import { firstFrameFetch, pollEvents } from "./watch-poll.js";

/** An event of a run's log (SPEC §6), discriminated by `type` (and `__typename`). */
export type RunEvent = RunEventFieldsFragment;

/** WebSocket, SSE (upgrades refused), or HTTP polling (SSE held by a buffering proxy). */
export type Transport = "ws" | "sse" | "poll";

/** An SSE response with no byte by then is held by a proxy (the server writes a comment at once). */
const SSE_FIRST_FRAME_MS = 4_000;

export interface WatchOptions {
  /** Yield events after this seq (0: from the start). */
  afterSeq?: number;
  /** Stop watching (the iterator returns). */
  signal?: AbortSignal;
  /**
   * `auto` (default): WebSocket, falling back to SSE when it is refused, and to polling
   * when SSE delivers nothing (a buffering proxy); while polling it tries the streaming
   * transports again every 30 s. A named transport is used alone.
   */
  transport?: Transport | "auto";
  /** Called on each (re)connection and failure, for a status line or logs. */
  onStatus?: (status: WatchStatus) => void;
  /** First and largest reconnect delays (ms); each is jittered by ±50 %. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export type WatchStatus =
  | { state: "connecting"; transport: Transport; afterSeq: number }
  | { state: "live"; transport: Transport }
  | { state: "retrying"; transport: Transport; inMs: number; error: SignalboxError };

/** Errors no reconnect can cure. */
const FATAL: ReadonlySet<ErrorCode> = new Set(["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_INPUT"]);

/** graphql-ws close codes (server) → the SDK's codes. */
const CLOSE_CODES: Record<number, ErrorCode> = {
  4400: "BAD_INPUT",
  4401: "UNAUTHENTICATED",
  4403: "FORBIDDEN",
  4429: "RATE_LIMITED",
  4500: "INTERNAL_SERVER_ERROR",
};

/**
 * Every event of a run with `seq > afterSeq`, each exactly once and in seq order, until
 * `RUN_COMPLETED` (yielded, then the iterator ends). Across any failure it reconnects with
 * exponential backoff and jitter and resumes from the last seq it yielded; a duplicate is
 * dropped, a gap is refilled by query before the event after it; WebSocket falls back to
 * SSE when it is refused (a proxy that forbids upgrades), and SSE to polling when its
 * stream delivers no frame within 4 s (a proxy that buffers it). Throws a `SignalboxError`
 * only for what reconnecting cannot cure (auth, a missing run, bad input).
 */
export async function* watchRun(conn: Connection, runId: string, opts: WatchOptions = {}): AsyncGenerator<RunEvent> {
  let last = opts.afterSeq ?? 0;
  let transport: Transport = opts.transport === "sse" || opts.transport === "poll" ? opts.transport : "ws";
  let failures = 0;
  const initial = opts.backoff?.initialMs ?? 250;
  const max = opts.backoff?.maxMs ?? 10_000;
  while (!opts.signal?.aborted) {
    opts.onStatus?.({ state: "connecting", transport, afterSeq: last });
    const live = subscribe(conn, transport, runId, last, opts.signal, () => {
      failures = 0;
      opts.onStatus?.({ state: "live", transport });
    });
    try {
      for await (const ev of live.events) {
        if (ev.seq <= last) continue; // already yielded (a resume overlaps)
        if (ev.seq > last + 1) {
          for await (const missed of refill(conn, runId, last, ev.seq - 1, opts.signal)) {
            last = missed.seq;
            yield missed;
            if (missed.type === "RUN_COMPLETED") return;
          }
        }
        last = ev.seq;
        yield ev;
        if (ev.type === "RUN_COMPLETED") return;
      }
      if (opts.signal?.aborted) return;
      if (live.climb()) {
        transport = "ws"; // polled long enough: try streaming again (it falls back at once if still blocked)
        continue;
      }
      // The stream ended without RUN_COMPLETED: a sealed run with nothing after `last`, or a
      // server that went away cleanly. Ask the log which.
      if (await finished(conn, runId, last, opts.signal)) return;
      throw new SignalboxError("CONNECTION", "the event stream ended early");
    } catch (err) {
      if (opts.signal?.aborted) return;
      const e = toError(err);
      if (FATAL.has(e.code)) throw e;
      const auto = opts.transport === undefined || opts.transport === "auto";
      // Refused before it was ever up (a proxy without upgrades): SSE, unless pinned to ws.
      if (transport === "ws" && !live.opened() && auto) transport = "sse";
      // Held by a proxy (no frame at all): poll, without waiting.
      else if (transport === "sse" && live.held() && auto) {
        transport = "poll";
        continue;
      } else if (transport === "sse" && auto && failures >= 2) transport = "ws"; // probe again
      const inMs = jitter(Math.min(max, initial * 2 ** failures));
      failures++;
      opts.onStatus?.({ state: "retrying", transport, inMs, error: e });
      await sleep(inMs, opts.signal);
    } finally {
      live.close();
    }
  }
}

interface LiveStream {
  events: AsyncIterable<RunEvent>;
  /** Whether the connection was acknowledged (WebSocket) or the stream answered (SSE). */
  opened(): boolean;
  /** SSE: the response delivered no frame in time (a buffering proxy holds it). */
  held(): boolean;
  /** Polling: ended to try the streaming transports again. */
  climb(): boolean;
  close(): void;
}

function subscribe(
  conn: Connection,
  transport: Transport,
  runId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
  onOpen: () => void,
): LiveStream {
  let opened = false;
  const open = () => {
    if (!opened) onOpen();
    opened = true;
  };
  if (transport === "poll") return { ...pollEvents(conn, runId, afterSeq, signal, open), held: () => false };
  const payload = { query: WatchRunDocument.toString(), variables: { runId, afterSeq } };
  if (transport === "ws") {
    const client = createWsClient({
      url: endpoint(conn.url).replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${conn.token}` },
      retryAttempts: 0,
      lazy: true,
      on: { connected: open },
    });
    const onAbort = () => void client.dispose();
    signal?.addEventListener("abort", onAbort, { once: true });
    return {
      events: results(client.iterate(payload), open),
      opened: () => opened,
      held: () => false,
      climb: () => false,
      close: () => {
        signal?.removeEventListener("abort", onAbort);
        void client.dispose();
      },
    };
  }
  const watched = firstFrameFetch(conn.fetch ?? fetch, SSE_FIRST_FRAME_MS);
  const client = createSseClient({
    url: `${endpoint(conn.url)}/stream`,
    headers: { authorization: `Bearer ${conn.token}` },
    retryAttempts: 0,
    fetchFn: watched.fetch,
  });
  const onAbort = () => client.dispose();
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    events: results(client.iterate(payload), open),
    opened: () => opened,
    held: watched.held,
    climb: () => false,
    close: () => {
      signal?.removeEventListener("abort", onAbort);
      client.dispose();
    },
  };
}

/** The events of a subscription's results; an error result throws. */
async function* results(
  it: AsyncIterable<{ data?: unknown; errors?: readonly { message?: string }[] | null }>,
  open: () => void,
): AsyncGenerator<RunEvent> {
  for await (const r of it) {
    open();
    if (r.errors?.length) throw fromGraphQLErrors(r.errors);
    const ev = (r.data as { runEvents?: RunEvent } | null | undefined)?.runEvents;
    if (ev) yield ev;
  }
}

/** Events `from + 1 .. to` by query (a gap in the live stream). */
async function* refill(conn: Connection, runId: string, from: number, to: number, signal?: AbortSignal) {
  let after = from;
  while (after < to) {
    const page = await request(conn, EventsPageDocument, { runId, afterSeq: after, first: 500 }, signal);
    for (const ev of page.events.events) {
      if (ev.seq > to) return;
      if (ev.seq === after + 1) {
        after = ev.seq;
        yield ev;
      }
    }
    if (!page.events.hasMore) {
      if (after < to) throw new SignalboxError("CONNECTION", `events ${after + 1}..${to} are not readable yet`);
      return;
    }
  }
}

/** A sealed run whose log ends at or before `last`: nothing more will come. */
async function finished(conn: Connection, runId: string, last: number, signal?: AbortSignal): Promise<boolean> {
  const { run } = await request(conn, RunHeadDocument, { id: runId }, signal);
  if (!run) throw new SignalboxError("NOT_FOUND", `run ${runId} not found`);
  return run.sealed && last >= run.lastSeq;
}

/** Whatever a transport threw, as a SignalboxError. */
function toError(err: unknown): SignalboxError {
  if (err instanceof SignalboxError) return err;
  if (Array.isArray(err)) return fromGraphQLErrors(err);
  const close = err as { code?: unknown; reason?: unknown } | null;
  if (close && typeof close.code === "number") {
    const code = CLOSE_CODES[close.code] ?? "CONNECTION";
    return new SignalboxError(code, `WebSocket closed (${close.code}${close.reason ? ` ${close.reason}` : ""})`);
  }
  const status = (err as { response?: { status?: number } } | null)?.response?.status;
  if (status === 401) return new SignalboxError("UNAUTHENTICATED", "the token was refused", [], 401);
  if (status === 403) return new SignalboxError("FORBIDDEN", "not allowed", [], 403);
  return new SignalboxError("CONNECTION", `connection failed: ${causeOf(err)}`);
}

const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));

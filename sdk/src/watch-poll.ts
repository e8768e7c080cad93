import { EventsPageDocument, type RunEventFieldsFragment } from "./generated.js";
import { type Connection, request } from "./http.js";
import { sleep } from "./sleep.js";

/**
 * The polling tier of `watchRun`: when WebSocket is refused and SSE delivers no frame (a
 * proxy that buffers streams), the run's log is read by `events(runId, afterSeq)` pages.
 * - a page with events: the next one after POLL_ACTIVE_MS (at once when `hasMore`);
 * - an empty page: the wait doubles up to POLL_IDLE_MAX_MS (an idle run costs one
 *   request per 15 s);
 * - after CLIMB_AFTER_MS the generator returns so that the caller tries WebSocket and SSE
 *   again (`climb()` says so); it resumes from the last seq it yielded either way.
 */
const POLL_ACTIVE_MS = 1_000;
const POLL_IDLE_MAX_MS = 15_000;
const CLIMB_AFTER_MS = 30_000;
const POLL_PAGE = 500;

type RunEvent = RunEventFieldsFragment;

export interface PolledStream {
  events: AsyncIterable<RunEvent>;
  opened(): boolean;
  /** The stream ended to probe the streaming transports again (not because the run ended). */
  climb(): boolean;
  close(): void;
}

export function pollEvents(
  conn: Connection,
  runId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
  onOpen: () => void,
  climbAfterMs = CLIMB_AFTER_MS,
): PolledStream {
  let opened = false;
  let climb = false;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  async function* events(): AsyncGenerator<RunEvent> {
    const until = Date.now() + climbAfterMs;
    let after = afterSeq;
    let idle = 0;
    while (!stop.signal.aborted) {
      const page = await request(conn, EventsPageDocument, { runId, afterSeq: after, first: POLL_PAGE }, stop.signal);
      if (!opened) onOpen();
      opened = true;
      for (const ev of page.events.events) {
        after = ev.seq;
        yield ev;
        if (ev.type === "RUN_COMPLETED") return;
      }
      if (page.events.hasMore) continue;
      idle = page.events.events.length ? 0 : idle + 1;
      if (Date.now() >= until) {
        climb = true;
        return;
      }
      await sleep(idle === 0 ? POLL_ACTIVE_MS : Math.min(POLL_IDLE_MAX_MS, POLL_ACTIVE_MS * 2 ** idle), stop.signal);
    }
  }
  return {
    events: events(),
    opened: () => opened,
    climb: () => climb,
    close: () => {
      signal?.removeEventListener("abort", onAbort);
      stop.abort();
    },
  };
}

/**
 * fetch for the SSE transport that aborts a response which has delivered no byte within
 * `ms` (the server writes a comment frame at once): a proxy holds the stream. `held()`
 * tells the caller to poll instead of reconnecting.
 */
export function firstFrameFetch(inner: typeof fetch, ms: number) {
  let held = false;
  const watched = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const abort = new AbortController();
    const outer = init?.signal;
    if (outer?.aborted) abort.abort();
    outer?.addEventListener("abort", () => abort.abort(), { once: true });
    let seen = false;
    const timer = setTimeout(() => {
      if (seen) return;
      held = true;
      abort.abort();
    }, ms);
    try {
      const res = await inner(input, { ...init, signal: abort.signal });
      if (!res.ok || !res.body) {
        clearTimeout(timer);
        return res;
      }
      const body = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            seen = true;
            clearTimeout(timer);
            controller.enqueue(chunk);
          },
          flush: () => clearTimeout(timer),
        }),
      );
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (err) {
      clearTimeout(timer);
      throw err;
    }
  }) as typeof fetch;
  return { fetch: watched, held: () => held };
}

/**
 * Is a tier blocked on this network? `watchFirstFrame` tells a live SSE stream from one a
 * proxy holds (the transport then polls). And the probes ask whether a better tier gets
 * through now: each opens one short-lived connection and closes it; the transport climbs
 * (poll → SSE → WebSocket) only after a probe succeeded, so a page on a network that still
 * blocks keeps its working tier and loses nothing.
 */

/** How long a probe waits for its answer: the same budget the SSE tier gives a first frame. */
const PROBE_TIMEOUT_MS = 4_000;

/** A graphql-ws handshake (connection_init → connection_ack), then a normal close. */
export function probeWebSocket(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, "graphql-transport-ws");
    } catch {
      resolve(false);
      return;
    }
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      try {
        socket.close(1000);
      } catch {
        // already closed
      }
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    socket.onmessage = (m) => finish(String(m.data).includes('"connection_ack"'));
    socket.onerror = () => finish(false);
    socket.onclose = () => finish(false);
  });
}

/**
 * A graphql-sse stream that must deliver its first frame (the server writes a comment at
 * once) within the timeout: a buffering proxy holds it, so the probe fails.
 */
export async function probeSse(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      signal: abort.signal,
      headers: { accept: "text/event-stream", "content-type": "application/json; charset=utf-8" },
      // Subscribes to nothing that will ever fire: only comment frames come.
      body: JSON.stringify({ query: 'subscription Probe { runsChangedSince(since: "2999-01-01T00:00:00Z") { id } }' }),
    });
    if (!res.ok || !res.body) return false;
    const { done, value } = await res.body.getReader().read();
    return !done && (value?.length ?? 0) > 0;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/**
 * An SSE response that has delivered no byte by then (the server writes a comment frame
 * at once, then one every 12 s) is held by a buffering proxy: the transport polls instead.
 * Generous against a slow server, short enough that a frozen page is not noticed.
 */
const SSE_FIRST_FRAME_MS = PROBE_TIMEOUT_MS;

/**
 * fetch for graphql-sse that reports the first byte of an event-stream body (`onFrame`), or
 * its absence after SSE_FIRST_FRAME_MS (`onSilence`). Only the timing is watched; the
 * bytes pass through untouched.
 */
export async function watchFirstFrame(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  on: { onFrame: () => void; onSilence: () => void },
): Promise<Response> {
  let seen = false;
  const timer = setTimeout(() => !seen && !init?.signal?.aborted && on.onSilence(), SSE_FIRST_FRAME_MS);
  let res: Response;
  try {
    res = await fetch(input, init);
  } catch (err) {
    clearTimeout(timer);
    throw err;
  }
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    return res;
  }
  const watched = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (!seen) {
          seen = true;
          clearTimeout(timer);
          on.onFrame();
        }
        controller.enqueue(chunk);
      },
      flush: () => clearTimeout(timer),
    }),
  );
  return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
}

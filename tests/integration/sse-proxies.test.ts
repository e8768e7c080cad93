/**
 * SSE through buffering proxies (issue 14): both SSE endpoints answer with headers that
 * turn proxy buffering and transforms off, and write a comment frame at once and then
 * every 12 s, so a client can tell a quiet stream from one a proxy holds. The test proxy's
 * buffering mode (what the web app's polling tier is tested against) is checked here too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProc, serveForTests, type Tokens } from "./graphql-harness";
import { startProxy, type TestProxy } from "./test-proxy";

let server: ServerProc;
let t: Tokens;
serveForTests({}, (h) => {
  ({ server, t } = h);
});

/** A subscription with nothing to say: only comment frames can arrive. */
const QUIET = 'subscription { runsChangedSince(since: "2999-01-01T00:00:00Z") { id } }';

interface Opened {
  res: Response;
  /** Resolves with the first chunk's text and when it came (ms after the request). */
  firstChunk: Promise<{ text: string; ms: number }>;
  /** Resolves with everything read until `ms` after the request. */
  readFor(ms: number): Promise<string>;
  abort(): void;
}

async function openStream(base: string, endpoint: "yoga" | "graphql-sse", signal = new AbortController()) {
  const started = Date.now();
  const init: RequestInit =
    endpoint === "graphql-sse"
      ? {
          method: "POST",
          body: JSON.stringify({ query: QUIET }),
          headers: {
            accept: "text/event-stream",
            "content-type": "application/json",
            authorization: `Bearer ${t.viewer}`,
          },
        }
      : { headers: { accept: "text/event-stream", authorization: `Bearer ${t.viewer}` } };
  const url =
    endpoint === "graphql-sse"
      ? `${base}/api/graphql/stream`
      : `${base}/api/graphql?query=${encodeURIComponent(QUIET)}`;
  const res = await fetch(url, { ...init, signal: signal.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const first: { resolve: ((v: { text: string; ms: number }) => void) | null } = { resolve: null };
  const firstChunk = new Promise<{ text: string; ms: number }>((r) => {
    first.resolve = r;
  });
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const chunk = decoder.decode(value, { stream: true });
        first.resolve?.({ text: chunk, ms: Date.now() - started });
        first.resolve = null;
        text += chunk;
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    firstChunk,
    readFor: async (ms: number) => {
      await new Promise((r) => setTimeout(r, Math.max(0, started + ms - Date.now())));
      return text;
    },
    abort: () => {
      signal.abort();
      void pump;
    },
  } satisfies Opened;
}

describe.each(["yoga", "graphql-sse"] as const)("the %s SSE endpoint", (endpoint) => {
  it("turns proxy buffering and transforms off and writes a comment frame at once", async () => {
    const s = await openStream(server.url, endpoint);
    try {
      expect(s.res.status).toBe(200);
      expect(s.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(s.res.headers.get("cache-control")).toBe("no-cache, no-transform");
      expect(s.res.headers.get("x-accel-buffering")).toBe("no");
      const first = await s.firstChunk;
      expect(first.text.startsWith(":")).toBe(true);
      expect(first.ms).toBeLessThan(2_000);
    } finally {
      s.abort();
    }
  });
});

describe("keep-alive", () => {
  it("a quiet graphql-sse stream gets another comment frame within 13 s", { timeout: 20_000 }, async () => {
    const s = await openStream(server.url, "graphql-sse");
    try {
      const text = await s.readFor(13_000);
      expect(text.match(/^:/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    } finally {
      s.abort();
    }
  });
});

describe("the test proxy's buffering mode (a gateway that holds event streams)", () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startProxy(server.url, { bufferEventStreams: true });
  });
  afterAll(() => proxy.close());

  it("holds the stream (no headers, no frame) until buffering stops, then streams it", async () => {
    let answered = false;
    const opening = openStream(proxy.url, "graphql-sse").then((s) => {
      answered = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(answered).toBe(false);
    expect(proxy.eventStreamsSeen).toBe(1);
    proxy.bufferEventStreams = false;
    const s = await opening;
    try {
      expect((await s.firstChunk).text.startsWith(":")).toBe(true);
    } finally {
      s.abort();
    }
  });
});

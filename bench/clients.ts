/**
 * A fleet of WebSocket clients in one process, driven over IPC by a bench (see
 * support.ts `forkHelper`). Each client is a raw `ws` socket; in `graphql` mode it speaks
 * graphql-transport-ws itself (connection_init with the token, wait for the ack, then
 * `subscribe`), in `raw` mode it only listens. Both modes handle every data frame the
 * same cheap way — find `"seq":` and (when measuring latency) `"at":"…"` in the bytes —
 * so Signalbox and its raw baseline are read by identical client code.
 *
 * Requests: open, await, stats, reset, close (see the handlers below).
 */
import WebSocket from "ws";
import { nowMs, serveRpc } from "./ipc";

interface Client {
  ws: WebSocket;
  /** Last seq per subscription (`id` 1, 2, … → index 0, 1, …; raw mode: one stream). */
  lastSeq: number[];
  acked: boolean;
  ready: () => void;
}

const clients: Client[] = [];
/** Streams (subscriptions) across all clients. */
let streams = 0;
let frames = 0;
let otherFrames = 0;
const problems: string[] = [];
let measure = false;
let lastFrame0: Buffer | null = null;
let started = 0;

// Latency histogram: 0.1 ms bins up to 60 s.
const BIN_MS = 0.1;
const hist = new Uint32Array(600_001);
let samples = 0;
let maxLatency = 0;
let negative = 0;

// `await`: resolve once every stream has seen `target`.
let target = Number.POSITIVE_INFINITY;
let reached = 0;
let lastReachedAt = 0;
let onAllReached: (() => void) | null = null;

const ID = Buffer.from('{"id":"');
const SEQ = Buffer.from('"seq":');

/** The decimal integer at `from` in `buf`. */
function intAt(buf: Buffer, from: number): number {
  let n = 0;
  for (let k = from; k < buf.length; k++) {
    const d = buf[k] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}
const AT = Buffer.from('"at":"');

function onFrame(c: Client, buf: Buffer): void {
  const received = measure ? nowMs() : 0;
  if (!c.acked) {
    const m = JSON.parse(buf.toString()) as { type: string };
    if (m.type === "connection_ack") {
      c.acked = true;
      c.ready();
    } else problems.push(`before ack: ${buf.toString().slice(0, 200)}`);
    return;
  }
  if (c === clients[0]) lastFrame0 = buf;
  const i = buf.indexOf(SEQ);
  if (i < 0) {
    otherFrames++;
    if (problems.length < 20) problems.push(buf.toString().slice(0, 300));
    return;
  }
  const seq = intAt(buf, i + SEQ.length);
  const stream = buf.indexOf(ID) === 0 ? Math.max(0, intAt(buf, ID.length) - 1) : 0;
  if (measure) {
    const j = buf.indexOf(AT, i);
    if (j >= 0) {
      const at = Date.parse(buf.toString("latin1", j + AT.length, j + AT.length + 24));
      let ms = received - at;
      if (ms < 0) {
        negative++;
        ms = 0;
      }
      if (ms > maxLatency) maxLatency = ms;
      hist[Math.min(hist.length - 1, Math.round(ms / BIN_MS))]++;
      samples++;
    }
  }
  const before = c.lastSeq[stream] ?? 0;
  if (seq !== before + 1 && before !== 0 && problems.length < 20) problems.push(`out of order: ${before} then ${seq}`);
  c.lastSeq[stream] = seq;
  frames++;
  if (before < target && seq >= target) {
    reached++;
    if (reached === streams) {
      lastReachedAt = nowMs();
      onAllReached?.();
    }
  }
}

function percentile(p: number): number {
  if (samples === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * samples);
  let acc = 0;
  for (let b = 0; b < hist.length; b++) {
    acc += hist[b];
    if (acc >= rank) return b * BIN_MS;
  }
  return maxLatency;
}

function openOne(
  url: string,
  mode: "graphql" | "raw",
  token: string | undefined,
  subscribes: { query: string; variables: Record<string, unknown> }[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, mode === "graphql" ? "graphql-transport-ws" : undefined, {
      perMessageDeflate: false,
    });
    const c: Client = {
      ws,
      lastSeq: Array.from({ length: Math.max(1, subscribes.length) }, () => 0),
      acked: mode === "raw",
      ready: () => {
        subscribes.forEach((payload, k) => {
          ws.send(JSON.stringify({ id: String(k + 1), type: "subscribe", payload }));
        });
        resolve();
      },
    };
    ws.on("message", (data: Buffer) => onFrame(c, data));
    ws.once("error", reject);
    ws.once("close", (code, reason) => {
      if (code !== 1000 && code !== 1005 && problems.length < 20) problems.push(`closed ${code} ${reason}`);
    });
    ws.once("open", () => {
      clients.push(c);
      streams += c.lastSeq.length;
      if (mode === "graphql") {
        ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      } else c.ready();
    });
  });
}

serveRpc({
  /**
   * Open `n` clients (in waves of `wave`). graphql mode: each subscribes to
   * `subscribes[i % subscribes.length]` … `subsPerClient` operations.
   */
  async open(m) {
    const n = m.n as number;
    const wave = (m.wave as number) ?? 100;
    const subs = (m.subscribes as { query: string; variables: Record<string, unknown> }[]) ?? [];
    const per = (m.subsPerClient as number) ?? 1;
    let next = 0;
    for (let i = 0; i < n; i += wave) {
      await Promise.all(
        Array.from({ length: Math.min(wave, n - i) }, () => {
          const mine = subs.length ? Array.from({ length: per }, () => subs[next++ % subs.length]) : [];
          const token = Array.isArray(m.tokens) ? (m.tokens[started++ % m.tokens.length] as string) : undefined;
          return openOne(m.url as string, m.mode as "graphql" | "raw", token ?? (m.token as string | undefined), mine);
        }),
      );
    }
    return { clients: clients.length, streams };
  },

  /** Resolve once every client has seen seq ≥ `seq` (or after `timeoutMs`). */
  async await(m) {
    target = m.seq as number;
    const all = clients.flatMap((c) => c.lastSeq);
    reached = all.filter((s) => s >= target).length;
    const timeoutMs = (m.timeoutMs as number) ?? 60_000;
    if (reached < streams) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        onAllReached = () => {
          clearTimeout(t);
          resolve();
        };
      });
    } else lastReachedAt = nowMs();
    onAllReached = null;
    const done = reached === streams;
    const seqs = clients.flatMap((c) => c.lastSeq);
    const lagging = seqs.filter((s) => s < target).length;
    const minSeq = Math.min(...seqs);
    target = Number.POSITIVE_INFINITY;
    return { done, at: done ? lastReachedAt : nowMs(), lagging, minSeq, frames, otherFrames };
  },

  /** Start/stop recording latencies; clear counters. */
  reset(m) {
    measure = Boolean(m.measure);
    hist.fill(0);
    samples = 0;
    maxLatency = 0;
    negative = 0;
    frames = 0;
    otherFrames = 0;
    return {};
  },

  stats() {
    return {
      frames,
      otherFrames,
      samples,
      negative,
      p50: percentile(50),
      p90: percentile(90),
      p99: percentile(99),
      p999: percentile(99.9),
      max: maxLatency,
      problems: problems.slice(0, 10),
    };
  },

  /** The last data frame client 0 received (to size the raw baseline's frames like it). */
  sample() {
    return { frame: lastFrame0?.toString() ?? null };
  },

  async close() {
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            c.ws.once("close", () => resolve());
            c.ws.close(1000);
            setTimeout(() => {
              c.ws.terminate();
              resolve();
            }, 2_000).unref();
          }),
      ),
    );
    clients.length = 0;
    streams = 0;
    return {};
  },
});

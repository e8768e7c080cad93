/**
 * The raw baselines' server (a helper process, see support.ts `forkHelper`): a plain `ws`
 * server on 127.0.0.1 and, where a bench compares database paths, plain `pg` — nothing
 * of Signalbox. Requests:
 *
 * - `listen` → `{port}`
 * - `broadcast {frames, perTick, tickMs}`: pre-serialized frames (encoded once) sent to
 *   every client, `perTick` frames per tick → `{t0}` when the first tick starts
 * - `pgFeed {url}`: LISTEN `bench_events`; per doorbell read the new rows of
 *   `bench_events` once and broadcast each (serialized once) — a minimal doorbell → read
 *   → fan-out, the raw counterpart of the EventHub feed
 * - `backlog {url}`: a client's first message `{"runId"}` makes the server page that run's
 *   `run_events` (1,000 rows a query) and send each row as a frame
 */
import type { AddressInfo } from "node:net";
import pg from "pg";
import { type WebSocket, WebSocketServer } from "ws";
import { serveRpc } from "./ipc";

const clients = new Set<WebSocket>();
let wss: WebSocketServer | null = null;
let backlogUrl: string | null = null;

/** The same frame shape Signalbox sends for the benches' LOG selection. */
function frameOf(row: { seq: number; at: Date; payload: Record<string, unknown> }): string {
  const p = row.payload;
  return JSON.stringify({
    id: "1",
    type: "next",
    payload: {
      data: {
        runEvents: {
          seq: row.seq,
          type: "LOG",
          at: row.at.toISOString(),
          level: p.level,
          message: p.message,
          nodeKey: p.nodeKey,
        },
      },
    },
  });
}

function broadcast(frame: Buffer | string) {
  for (const c of clients) c.send(frame);
}

async function sendBacklog(ws: WebSocket, runId: string) {
  const db = new pg.Client({ connectionString: backlogUrl! });
  await db.connect();
  try {
    let after = 0;
    for (;;) {
      const { rows } = await db.query(
        "SELECT seq, at, payload FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
        [runId, after],
      );
      for (const r of rows) ws.send(frameOf(r));
      if (rows.length < 1000) break;
      after = rows[rows.length - 1].seq;
    }
  } finally {
    await db.end();
  }
}

serveRpc({
  async listen() {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => wss!.once("listening", () => resolve()));
    wss.on("connection", (ws) => {
      clients.add(ws);
      ws.once("close", () => clients.delete(ws));
      ws.on("message", (data) => {
        if (!backlogUrl) return;
        const { runId } = JSON.parse(String(data)) as { runId: string };
        sendBacklog(ws, runId).catch((err) => console.error("backlog failed", err));
      });
    });
    return { port: (wss.address() as AddressInfo).port };
  },

  async broadcast(m) {
    const frames = (m.frames as string[]).map((f) => Buffer.from(f)); // pre-serialized, encoded once
    const perTick = m.perTick as number;
    const tickMs = m.tickMs as number;
    const t0 = performance.timeOrigin + performance.now();
    void (async () => {
      for (let k = 0; k * perTick < frames.length; k++) {
        const due = t0 + k * tickMs - (performance.timeOrigin + performance.now());
        if (due > 0) await new Promise((r) => setTimeout(r, due));
        for (const f of frames.slice(k * perTick, (k + 1) * perTick)) broadcast(f);
      }
    })();
    return { t0 };
  },

  async pgFeed(m) {
    const listener = new pg.Client({ connectionString: m.url as string });
    const reader = new pg.Client({ connectionString: m.url as string });
    await listener.connect();
    await reader.connect();
    let head = 0;
    let reading = false;
    let again = false;
    const read = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const { rows } = await reader.query(
            "SELECT seq, at, payload FROM bench_events WHERE seq > $1 ORDER BY seq LIMIT 1000",
            [head],
          );
          for (const r of rows) broadcast(Buffer.from(frameOf(r)));
          if (rows.length) head = rows[rows.length - 1].seq;
          if (rows.length === 1000) again = true;
        } while (again);
      } finally {
        reading = false;
      }
    };
    listener.on("notification", () => void read().catch((err) => console.error("pgFeed read failed", err)));
    await listener.query("LISTEN bench_events");
    process.once("disconnect", () => {
      void listener.end();
      void reader.end();
    });
    return {};
  },

  backlog(m) {
    backlogUrl = m.url as string;
    return {};
  },

  /** Heap in use after a full GC (when started with --expose-gc) and RSS. */
  memory() {
    (globalThis as { gc?: () => void }).gc?.();
    return { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage.rss() };
  },

  async close() {
    for (const c of clients) c.terminate();
    clients.clear();
    return {};
  },
});

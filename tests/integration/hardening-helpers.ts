/**
 * Tools for the hardening tests: raw WebSocket and HTTP clients that can misbehave (wrong
 * frames, no reading, other source addresses) and readers for /api/metrics.
 */
import http from "node:http";
import WebSocket from "ws";
import type { Endpoint, Json } from "./graphql-clients";
import { ADMIN_TOKEN } from "./graphql-harness";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): Json;
}

/** One HTTP request with node:http (so the source address and every header are ours to pick). */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? "GET", headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** POST a GraphQL operation as JSON with a bearer token, from an optional source address. */
export function post(
  server: Pick<Endpoint, "api">,
  token: string | null,
  body: unknown,
  opts: { headers?: Record<string, string>; localAddress?: string } = {},
) {
  return request(server.api, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...opts.headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    localAddress: opts.localAddress,
  });
}

export interface RawSocket {
  ws: WebSocket;
  /** Every message received, parsed when JSON. */
  messages: Json[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** The next message matching `pred` (already received ones included). */
  waitFor(pred: (m: Json) => boolean, timeoutMs?: number): Promise<Json>;
}

/** A graphql-ws connection driven by hand: nothing is sent unless the test sends it. */
export function rawSocket(
  server: Pick<Endpoint, "wsUrl">,
  opts: { protocol?: string | null; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<RawSocket> {
  const protocol = opts.protocol === undefined ? "graphql-transport-ws" : opts.protocol;
  const ws = new WebSocket(server.wsUrl, protocol ? [protocol] : [], {
    headers: opts.headers,
    localAddress: opts.localAddress,
  });
  const messages: Json[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    const text = String(data);
    try {
      messages.push(JSON.parse(text));
    } catch {
      messages.push(text);
    }
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const w of [...waiters]) w();
    });
  });
  const socket: RawSocket = {
    ws,
    messages,
    closed,
    send: (m) => ws.send(typeof m === "string" ? m : JSON.stringify(m)),
    waitFor: (pred, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = messages.find(pred);
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message; got ${JSON.stringify(messages).slice(0, 500)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      const refused = () =>
        reject(
          Object.assign(new Error(`refused (${res.statusCode}): ${body.slice(0, 300)}`), { status: res.statusCode }),
        );
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.once("end", refused);
      res.once("close", refused);
    });
    ws.once("error", reject);
  });
}

/** A raw socket past `connection_init` → `connection_ack`. */
export async function ackedSocket(
  server: Pick<Endpoint, "wsUrl">,
  token: string,
  opts: { localAddress?: string } = {},
) {
  const s = await rawSocket(server, opts);
  s.send({ type: "connection_init", payload: { authorization: `Bearer ${token}` } });
  await s.waitFor((m) => m?.type === "connection_ack");
  return s;
}

/** The HTTP status a WebSocket upgrade gets (101 when accepted). */
export function upgradeStatus(
  server: Pick<Endpoint, "wsUrl">,
  opts: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, ["graphql-transport-ws"], {
      headers: opts.headers,
      localAddress: opts.localAddress,
    });
    ws.once("upgrade", (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      ws.close();
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
      ws.terminate();
    });
    ws.once("error", (err) => reject(err));
  });
}

/** /api/metrics as text (it needs an ADMIN token: the harness's admin token by default). */
export async function metricsText(server: Pick<Endpoint, "url">, token = ADMIN_TOKEN): Promise<string> {
  const res = await request(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`/api/metrics answered ${res.status}`);
  return res.text;
}

/** A sample's value from Prometheus text, summed over series matching every given label. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Poll until `check` returns a truthy value, or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

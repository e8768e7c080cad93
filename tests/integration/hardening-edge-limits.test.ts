/**
 * The HTTP edge of the real server (issue 8 §2): graphql-sse's single connection mode is
 * refused; request bodies are counted on every path, chunked ones included (413 past
 * 4 MiB, never buffered whole) and GraphQL bodies are not read before authentication;
 * GraphQL responses have a size cap; /api/metrics needs a token; security headers on the
 * responses the custom server makes (pages are checked in e2e/security-headers.spec.ts).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import {
  ADMIN_TOKEN,
  collect,
  gql,
  gqlData,
  makeTokens,
  type ServerProc,
  startServer,
  type Tokens,
  testDb,
  wsClient,
} from "./graphql-harness";
import { request } from "./hardening-helpers";

const METRICS_TOKEN = "sbx_metrics_scraper_token_0123456789abcdef";
/** Small enough that introspection is over it, big enough for `{ viewer { … } }`. */
const RESPONSE_CAP = 4096;

let server: ServerProc;
let db: Db;
let t: Tokens;

beforeAll(async () => {
  db = testDb();
  t = await makeTokens(db);
  server = await startServer({
    worker: false,
    env: {
      SIGNALBOX_MAX_RESPONSE_BYTES: String(RESPONSE_CAP),
      SIGNALBOX_METRICS_TOKEN: METRICS_TOKEN,
      // 127.0.0.1 is a trusted proxy; 127.0.0.2 (also this machine) is not.
      SIGNALBOX_TRUSTED_PROXIES: "127.0.0.1",
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
});

const stream = () => `${server.url}/api/graphql/stream`;
const rss = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.child.pid}/status`, "utf8"))?.[1]) * 1024;

describe("graphql-sse: only the distinct connections mode", () => {
  it("PUT (reserve a stream) is refused without and with credentials, and reserves nothing", async () => {
    const auths: Record<string, string>[] = [{}, { authorization: `Bearer ${t.operator}` }];
    for (const headers of auths) {
      const r = await request(stream(), { method: "PUT", headers: { accept: "*/*", ...headers } });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe("GET, POST");
      expect(r.json().errors[0].message).toMatch(/single connection mode is not supported/);
    }
  });

  it("a stream token (header or query) on GET, POST or DELETE is refused before anything runs", async () => {
    const token = "00000000-0000-4000-8000-000000000000";
    const cases: { method: string; url: string; headers: Record<string, string>; body?: string }[] = [
      { method: "GET", url: `${stream()}?token=${token}`, headers: { accept: "text/event-stream" } },
      { method: "GET", url: stream(), headers: { accept: "text/event-stream", "x-graphql-event-stream-token": token } },
      {
        method: "POST",
        url: stream(),
        headers: { accept: "application/json", "x-graphql-event-stream-token": token },
        body: JSON.stringify({ query: "{ viewer { name } }", extensions: { operationId: "1" } }),
      },
      { method: "DELETE", url: `${stream()}?token=${token}&operationId=1`, headers: {} },
    ];
    for (const c of cases) {
      for (const auth of [{}, { authorization: `Bearer ${t.operator}` }] as Record<string, string>[]) {
        const r = await request(c.url, { method: c.method, headers: { ...c.headers, ...auth }, body: c.body });
        expect([400, 405], `${c.method} ${c.url}`).toContain(r.status);
        expect(r.json().errors[0].message).toMatch(/single connection mode|distinct connections mode/);
      }
    }
    // Without Accept: text/event-stream there is nothing to serve either.
    const plain = await request(stream(), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.operator}` },
      body: JSON.stringify({ query: "{ viewer { name } }" }),
    });
    expect(plain.status).toBe(406);
  });

  it("the distinct connections mode (what the web app uses) still works", async () => {
    const r = await request(stream(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${t.viewer}` },
      body: JSON.stringify({ query: "{ viewer { role } }" }),
    });
    expect(r.status).toBe(200);
    expect(r.text).toContain('"role":"VIEWER"');
    const unauth = await request(stream(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "{ viewer { role } }" }),
    });
    expect(unauth.status).toBe(401);
  });
});

interface ChunkedResult {
  status: number;
  text: string;
  /** Body bytes written before the answer came. */
  sent: number;
  ms: number;
}

/**
 * POST `total` bytes with chunked framing (no Content-Length), 64 KiB at a time, until the
 * server answers; `stall` stops writing after that many bytes (the request never ends).
 */
function chunkedPost(
  url: string,
  headers: Record<string, string>,
  total: number,
  opts: { stall?: number } = {},
): Promise<ChunkedResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, { method: "POST", headers, agent: false }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      const done = () => {
        resolve({ status: res.statusCode ?? 0, text, sent, ms: Date.now() - started });
        req.destroy();
      };
      res.on("end", done);
      res.on("error", done);
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, "x");
    const pump = async () => {
      req.write('{"query":"{ viewer { name } }","variables":{"pad":"');
      while (sent < total && !answered && !req.destroyed) {
        if (opts.stall !== undefined && sent >= opts.stall) return; // keep the request open
        if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
        sent += chunk.length;
      }
      if (!answered && !req.destroyed) req.end('"}}');
    };
    pump().catch(() => {});
  });
}

const FIVE_MIB = 5 * 1024 * 1024;
const json = { "content-type": "application/json" };

describe("request bodies", () => {
  it("a chunked 5 MiB body is refused with 413 on /api/graphql and /api/graphql/stream", async () => {
    const auth = { authorization: `Bearer ${t.operator}` };
    for (const [url, extra] of [
      [server.api, {}],
      [stream(), { accept: "text/event-stream" }],
    ] as const) {
      const r = await chunkedPost(url, { ...json, ...auth, ...extra }, FIVE_MIB);
      expect(r.status, url).toBe(413);
      expect(r.text, url).toMatch(/request body too large/);
    }
  });

  it("a huge chunked body is cut off at the cap: the server's memory does not grow by its size", async () => {
    const auth = { authorization: `Bearer ${t.operator}` };
    const before = rss();
    for (const [url, extra] of [
      [server.api, {}],
      [stream(), { accept: "text/event-stream" }],
    ] as const) {
      // The server may also reset the connection once it has dropped enough past its answer.
      const r = await chunkedPost(url, { ...json, ...auth, ...extra }, 256 * 1024 * 1024).catch((err) => ({
        status: 0,
        text: String(err),
        sent: Number.NaN,
        ms: 0,
      }));
      if (r.status) expect(r.status, url).toBe(413);
      else expect(r.text).toMatch(/EPIPE|ECONNRESET/);
    }
    // Reading either 256 MiB body whole would add at least 256 MiB; the server's ordinary
    // growth over two requests (buffers, JIT, a GC not yet run) has reached ~29 MiB.
    expect(rss() - before).toBeLessThan(64 * 1024 * 1024);
    // Still healthy.
    expect((await request(`${server.url}/api/health`)).status).toBe(200);
    expect((await gqlData(server, t.viewer, "{ viewer { role } }")).viewer.role).toBe("VIEWER");
  });

  it("a body just under the cap still gets through (to GraphQL, which answers it)", async () => {
    const r = await chunkedPost(server.api, { ...json, authorization: `Bearer ${t.operator}` }, 3 * 1024 * 1024);
    expect(r.status).not.toBe(413);
    expect(r.text).not.toMatch(/request body too large/);
  });

  it("a declared Content-Length over the cap is refused at once, whatever the path", async () => {
    for (const path of ["/api/graphql", "/api/graphql/stream", "/api/session", "/anything"]) {
      const r = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${server.url}${path}`, {
          method: "POST",
          headers: { ...json, "content-length": String(FIVE_MIB) },
          agent: false,
        });
        req.on("response", (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on("error", reject);
        req.write("{"); // and nothing more: the answer must not wait for the body
      });
      expect(r, path).toBe(413);
    }
  });

  it("without credentials a GraphQL body is not read: 401 while the body is still coming", async () => {
    // Repeated: the answer must win the race against the client's next write every time
    // (a close that resets the connection loses it now and then, as EPIPE).
    for (let round = 0; round < 12; round++) {
      for (const [url, extra] of [
        [server.api, {}],
        [stream(), { accept: "text/event-stream" }],
        // With a wrong token too (the token is looked up, the body still unread).
        [stream(), { accept: "text/event-stream", authorization: "Bearer sbx_not_a_token" }],
      ] as const) {
        const r = await chunkedPost(url, { ...json, ...extra }, FIVE_MIB, { stall: 256 * 1024 });
        expect(r.status, url).toBe(401);
        expect(r.ms, url).toBeLessThan(3_000);
      }
    }
  });
});

describe("response size cap", () => {
  it("a result over SIGNALBOX_MAX_RESPONSE_BYTES becomes one BAD_INPUT error asking to page", async () => {
    const big = "{ __schema { types { name description fields { name description } } } }";
    const r = await gql(server, t.viewer, big);
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe("BAD_INPUT");
    expect(r.errors?.[0].message).toMatch(/over 4096 bytes.*page with `first`/);
    // Over WebSocket too (the same envelop pipeline).
    const ws = wsClient(server, t.viewer);
    const res = await collect(ws, big, {}).done;
    await ws.dispose();
    expect(JSON.stringify(res)).toMatch(/BAD_INPUT/);
    // Small results are untouched.
    expect((await gqlData(server, t.viewer, "{ viewer { name role } }")).viewer.role).toBe("VIEWER");
  });
});

describe("/api/metrics", () => {
  const metricsWith = (authorization?: string) =>
    request(`${server.url}/api/metrics`, { headers: authorization ? { authorization } : {} });

  it("needs an ADMIN token or SIGNALBOX_METRICS_TOKEN", async () => {
    const none = await metricsWith();
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(none.text).not.toMatch(/signalbox_/);
    expect((await metricsWith(`Bearer ${t.viewer}`)).status).toBe(403);
    expect((await metricsWith(`Bearer ${t.operator}`)).status).toBe(403);
    expect((await metricsWith("Bearer sbx_wrong_0123456789")).status).toBe(401);
    for (const token of [t.admin, ADMIN_TOKEN, METRICS_TOKEN]) {
      const ok = await metricsWith(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toMatch(/signalbox_process_resident_memory_bytes/);
    }
  });
});

describe("security headers", () => {
  it("every response: nosniff, no framing, a referrer policy; the API may not be loaded as a document", async () => {
    for (const path of ["/api/health", "/api/graphql", "/nothing-here"]) {
      const r = await request(`${server.url}${path}`);
      expect(r.headers["x-content-type-options"], path).toBe("nosniff");
      expect(r.headers["x-frame-options"], path).toBe("DENY");
      expect(r.headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    }
    const api = await request(`${server.url}/api/health`);
    expect(api.headers["content-security-policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it("HSTS only when served over https: X-Forwarded-Proto is believed from a trusted proxy only", async () => {
    const https = { "x-forwarded-proto": "https" };
    const trusted = await request(`${server.url}/api/health`, { headers: https, localAddress: "127.0.0.1" });
    expect(trusted.headers["strict-transport-security"]).toBe("max-age=31536000");
    const plain = await request(`${server.url}/api/health`, { localAddress: "127.0.0.1" });
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    const untrusted = await request(`${server.url}/api/health`, { headers: https, localAddress: "127.0.0.2" });
    expect(untrusted.headers["strict-transport-security"]).toBeUndefined();
  });

  it("GraphiQL has its own CSP: its inline script by hash, nothing else inline, no eval, no framing", async () => {
    const r = await request(`${server.url}/graphiql`, { headers: { authorization: `Bearer ${t.viewer}` } });
    expect(r.status).toBe(200);
    const csp = r.headers["content-security-policy"] ?? "";
    const scripts = [...r.text.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const body of scripts) {
      const hash = crypto.createHash("sha256").update(body).digest("base64");
      expect(csp).toContain(`'sha256-${hash}'`);
    }
    expect(csp).toMatch(/^default-src 'none'/);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    // Logged out: a plain page, under the API's policy.
    const out = await request(`${server.url}/graphiql`);
    expect(out.status).toBe(401);
    expect(out.headers["content-security-policy"]).toMatch(/^default-src 'none'/);
  });
});

/**
 * `http` nodes against the real server: private, loopback, link-local and metadata addresses
 * are refused unless SIGNALBOX_HTTP_ALLOWED_HOSTS names them (here only 127.0.0.3/32), the
 * server's own address and port stay reachable, bodies are capped, redirects are not
 * followed and query strings never reach logs or errors.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/client";
import { gqlData, makeTokens, type ServerProc, SUBMIT, startServer, type Tokens, testDb } from "./graphql-harness";
import { eventually } from "./hardening-helpers";
import { allEvents } from "./helpers";

let server: ServerProc;
let db: Db;
let tokens: Tokens;
let target: http.Server;
/** The allowlisted target: 127.0.0.3:<port>. */
let port: number;

beforeAll(async () => {
  db = testDb();
  target = http.createServer((req, res) => {
    if (req.url?.startsWith("/ok"))
      return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    if (req.url === "/big") {
      // 6 MiB, chunked (no Content-Length): the cap must count the bytes as they stream.
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(64 * 1024, "x");
      let sent = 0;
      const pump = () => {
        while (sent < 96) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      return pump();
    }
    if (req.url === "/redirect")
      return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.3", r));
  port = (target.address() as AddressInfo).port;
  server = await startServer({ env: { SIGNALBOX_HTTP_ALLOWED_HOSTS: "127.0.0.3/32" } });
  tokens = await makeTokens(db);
});
afterAll(async () => {
  await server?.stop();
  target?.close();
  await db?.$disconnect();
});

/** Run one http node; resolves with the node row once the run has finished. */
async function fetchNode(url: string, extra: Record<string, unknown> = {}) {
  const spec = { name: "fetch", nodes: [{ id: "get", kind: "http", with: { url, ...extra } }] };
  const runId = (await gqlData(server, tokens.operator, SUBMIT, { input: { spec } })).submitRun.id as string;
  await eventually(
    async () => (await db.run.findUniqueOrThrow({ where: { id: runId } })).finishedAt,
    15_000,
    "the run to finish",
  );
  const node = await db.runNode.findUniqueOrThrow({ where: { runId_key: { runId, key: "get" } } });
  return { node, runId };
}

describe("http node address policy", () => {
  it("refuses loopback, link-local (cloud metadata), unique-local and names resolving to loopback", async () => {
    const other = port + 1 === Number(new URL(server.url).port) ? port + 2 : port + 1;
    const cases: [string, RegExp][] = [
      [`http://127.0.0.2:${other}/x?token=hunter2`, /may not reach 127\.0\.0\.2:\d+: loopback address/],
      ["http://169.254.169.254/latest/meta-data/", /may not reach 169\.254\.169\.254:80: linkLocal address/],
      ["http://[fd00:ec2::254]/latest/meta-data/", /may not reach fd00:ec2::254:80: uniqueLocal address/],
      ["http://100.100.100.200/latest/meta-data/", /carrierGradeNat address/],
      [`http://localhost:${port}/ok`, /may not reach localhost \((127\.0\.0\.1|::1)\):\d+: loopback address/],
      [`http://[::ffff:10.0.0.1]:${port}/ok`, /may not reach .*10\.0\.0\.1.*: private address/],
    ];
    for (const [url, message] of cases) {
      const { node } = await fetchNode(url);
      expect(node.status, url).toBe("FAILED");
      expect(node.error, url).toMatch(message);
      expect(node.error, url).toContain("SIGNALBOX_HTTP_ALLOWED_HOSTS");
      expect(node.error).not.toContain("hunter2");
    }
  }, 60_000);

  it("allows an allowlisted CIDR and the server's own address and port; query strings are redacted", async () => {
    const allowed = await fetchNode(`http://127.0.0.3:${port}/ok?api_key=hunter2`);
    expect(allowed.node.status).toBe("SUCCEEDED");
    expect((allowed.node.output as { body: unknown }).body).toEqual({ ok: true });
    const logs = (await allEvents(db, allowed.runId)).filter((e) => e.type === "LOG").map((e) => e.payload.message);
    expect(logs).toContain(`GET http://127.0.0.3:${port}/ok?<redacted>`);
    expect(JSON.stringify(logs)).not.toContain("hunter2");

    const self = await fetchNode(`${server.url}/api/health`);
    expect(self.node.status).toBe("SUCCEEDED");
    expect((self.node.output as { status: number }).status).toBe(200);
  }, 30_000);

  it("fails on an oversized (streamed) body, and does not follow redirects", async () => {
    const big = await fetchNode(`http://127.0.0.3:${port}/big`);
    expect(big.node.status).toBe("FAILED");
    expect(big.node.error).toContain("response body is over 5242880 bytes");

    const redirect = await fetchNode(`http://127.0.0.3:${port}/redirect`);
    expect(redirect.node.status).toBe("FAILED");
    expect(redirect.node.error).toContain("HTTP 302");
    expect(redirect.node.error).toContain("redirects are not followed");
  }, 30_000);
});

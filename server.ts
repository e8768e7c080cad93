/**
 * The custom server (SPEC §1): one HTTP server for Next's pages and the API. WebSocket
 * upgrades for GraphQL are handled here because Next route handlers cannot accept them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import next from "next";
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
  const app = next({ dev, hostname: e.HOST, port: e.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (url === "/api/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      return;
    }
    handle(req, res).catch((err) => {
      log.error({ err }, "request failed");
      if (!res.headersSent) res.writeHead(500).end("internal error");
    });
  });

  server.listen(e.PORT, e.HOST, () => {
    const base = `http://${e.HOST}:${e.PORT}`;
    console.log(`\n  Signalbox is running at ${base}`);
    if (runtime.adminSecret) {
      // The token rides in the URL fragment: browsers never send it to a server or a log.
      console.log(`  Log in: ${base}/login#token=${runtime.adminSecret}`);
      console.log(`  Admin token: ${runtime.adminSecret}\n`);
    }
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    server.close();
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await runtime.stop().catch((err) => log.error({ err }, "shutdown failed"));
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  log.fatal({ err }, "failed to start");
  process.exit(1);
});

import type { IncomingMessage, ServerResponse } from "node:http";
import { metrics } from "../lib/metrics";
import type { Runtime } from "../lib/runtime";

const HEALTH_PATH = "/api/health";
const READY_PATH = "/api/ready";
export const METRICS_PATH = "/api/metrics";

/** How long readiness waits for `SELECT 1` before calling the database down. */
const READY_DB_TIMEOUT_MS = 2_000;

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));

async function databaseAnswers(runtime: Runtime): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_DB_TIMEOUT_MS);
  });
  const probe = runtime.db.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Operations endpoints: `/api/health` — liveness (the process answers); `/api/ready` —
 * 200 only when PostgreSQL answers and the LISTEN connection is up (else 503, so a load
 * balancer stops sending traffic; also 503 while shutting down); `/api/metrics` —
 * Prometheus text from lib/metrics.ts. Returns false for other paths.
 */
export function serveOps(
  runtime: Runtime,
  state: { stopping: boolean },
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === HEALTH_PATH) {
    json(res, 200, { status: "ok" });
    return true;
  }
  if (path === READY_PATH) {
    void databaseAnswers(runtime).then((database) => {
      const listener = runtime.notifier.connected;
      const ready = database && listener && !state.stopping;
      json(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", database, listener });
    });
    return true;
  }
  if (path === METRICS_PATH) {
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
    return true;
  }
  return false;
}

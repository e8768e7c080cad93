/**
 * `npm run worker`: an extra worker process. Any number may run beside `npm start`
 * against the same database (embedded: joins the server's PostgreSQL on the same data dir).
 */
import { env } from "../lib/env";
import { log } from "../lib/log";
import { startRuntime } from "../lib/runtime";

const runtime = await startRuntime({ worker: true, seed: false });
log.info({ owner: runtime.worker?.owner, concurrency: env().SIGNALBOX_WORKER_CONCURRENCY }, "worker started");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await runtime.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

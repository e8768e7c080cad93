import fs from "node:fs";
import path from "node:path";
import { authenticate, createToken, ensureNamespace } from "./auth/tokens";
import { createDb, type Db } from "./db/client";
import { connectionUrl } from "./db/connection";
import { applyMigrations } from "./db/schema-engine";
import type { ExecSettings } from "./engine/executors/types";
import { Worker } from "./engine/worker";
import { env } from "./env";
import { Notifier } from "./events/notifier";
import { EventHub } from "./events/stream";
import { log } from "./log";
import { seedExamples } from "./pipelines/seed";

/** The resource bag every layer receives (SPEC §1: no hidden singletons in lib/). */
export interface Runtime {
  db: Db;
  notifier: Notifier;
  events: EventHub;
  worker: Worker | null;
  databaseUrl: string;
  settings: ExecSettings;
  /** The admin secret when this process created or was given it (for the start banner). */
  adminSecret: string | null;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Run an in-process worker. */
  worker: boolean;
  /** Seed the default namespace, the admin token and the example pipelines. */
  seed?: boolean;
  port?: number;
}

/**
 * Connect (embedded PostgreSQL unless DATABASE_URL), migrate, listen, seed and start a
 * worker. Kept on `globalThis` by the server because Next's bundles load their own copy
 * of lib/ (STACK-NOTES): one pool and one listener per process.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const e = env();
  const conn = await connectionUrl((m) => log.info(m));
  const applied = await applyMigrations(conn.url);
  if (applied.length) log.info({ applied }, "migrations applied");
  const db = createDb(conn.url);
  const notifier = new Notifier(conn.url, (msg, err) => log.warn({ err }, msg));
  await notifier.start();
  const events = new EventHub(db, notifier);
  const settings: ExecSettings = {
    allowCommands: e.SIGNALBOX_ALLOW_COMMANDS,
    httpAllowedHosts: e.SIGNALBOX_HTTP_ALLOWED_HOSTS,
    // The configured port; server.ts puts the bound one here after listen (PORT=0).
    selfAddress: { host: e.HOST, port: opts.port ?? e.PORT },
  };
  const adminSecret = opts.seed ? await seed(db, opts.port ?? e.PORT, settings.allowCommands) : null;
  const worker = opts.worker
    ? new Worker(db, notifier, {
        concurrency: e.SIGNALBOX_WORKER_CONCURRENCY,
        namespaceConcurrency: e.SIGNALBOX_NAMESPACE_CONCURRENCY,
        leaseMs: e.SIGNALBOX_LEASE_MS,
        settings,
        log: (level, msg, err) => log[level]({ err }, msg),
      })
    : null;
  worker?.start();
  return {
    db,
    notifier,
    events,
    worker,
    databaseUrl: conn.url,
    settings,
    adminSecret,
    async stop() {
      await worker?.stop();
      await notifier.stop();
      await db.$disconnect();
      await conn.release();
    },
  };
}

/**
 * First start: the `default` namespace and an admin token (SIGNALBOX_ADMIN_TOKEN if set,
 * else random, kept in `<data dir>/admin-token` so later starts can print it again).
 */
async function seed(db: Db, port: number, allowCommands: boolean): Promise<string | null> {
  const e = env();
  await ensureNamespace(db, "default");
  const file = path.resolve(e.SIGNALBOX_DATA_DIR, "admin-token");
  let secret = e.SIGNALBOX_ADMIN_TOKEN ?? (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : null);
  if (!secret || !(await authenticate(db, secret))) {
    const admins = await db.apiToken.count({ where: { role: "ADMIN", revokedAt: null } });
    if (admins === 0 || e.SIGNALBOX_ADMIN_TOKEN) {
      const created = await createToken(db, {
        namespace: "default",
        name: "admin",
        role: "ADMIN",
        secret: secret ?? undefined,
      });
      secret = created.secret;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (!e.SIGNALBOX_ADMIN_TOKEN) fs.writeFileSync(file, secret, { mode: 0o600 });
    } else {
      secret = null;
    }
  }
  await seedExamples(db, "default", port, allowCommands);
  return secret;
}

import fs from "node:fs";
import path from "node:path";
import { authenticate, createToken, ensureNamespace, hashToken } from "./auth/tokens";
import { createDb, type Db } from "./db/client";
import { connectionUrl } from "./db/connection";
import { applyMigrations } from "./db/schema-engine";
import type { ExecSettings } from "./engine/executors/types";
import { WorkBell } from "./engine/work-bell";
import { Worker } from "./engine/worker";
import { env } from "./env";
import { Notifier } from "./events/notifier";
import { EventHub } from "./events/stream";
import { log } from "./log";
import { commandsAllowed } from "./namespaces/settings";
import { seedExamples } from "./pipelines/seed";
import { Scheduler } from "./schedules/scheduler";
import { StartError } from "./start-errors";
import { ownBaseUrl, WebhookSender } from "./webhooks/sender";
import { webhookPolicy } from "./webhooks/target";

/** The resource bag every layer receives (SPEC §1: no hidden singletons in lib/). */
export interface Runtime {
  db: Db;
  notifier: Notifier;
  /** Wakes long-polling external claims when work is ready. */
  workBell: WorkBell;
  events: EventHub;
  worker: Worker | null;
  /** Fires schedules (lib/schedules); in every process unless `scheduler: false`. */
  scheduler: Scheduler | null;
  /** Delivers webhooks (lib/webhooks); in server processes (`webhooks: true`). */
  webhooks: WebhookSender | null;
  databaseUrl: string;
  settings: ExecSettings;
  /** The admin secret when this start created it (printed once, on a terminal). */
  adminSecret: string | null;
  /** Where the generated admin token is kept (`<data dir>/admin-token`), if there is one. */
  adminTokenFile?: string | null;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Run an in-process worker. */
  worker: boolean;
  /** Seed the default namespace, the admin token and the example pipelines. */
  seed?: boolean;
  port?: number;
  /** Fire schedules in this process (default true: any number of processes may, exactly once per fire). */
  scheduler?: boolean;
  /** Deliver webhooks from this process (server processes: they know the console's URL). */
  webhooks?: boolean;
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
  const workBell = new WorkBell(notifier);
  const settings: ExecSettings = {
    allowCommands: e.SIGNALBOX_ALLOW_COMMANDS,
    httpAllowedHosts: e.SIGNALBOX_HTTP_ALLOWED_HOSTS,
    // The configured port; server.ts puts the bound one here after listen (PORT=0).
    selfAddress: { host: e.HOST, port: opts.port ?? e.PORT },
  };
  const seeded = opts.seed ? await seed(db, opts.port ?? e.PORT, settings.allowCommands) : null;
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
  const scheduler =
    opts.scheduler === false
      ? null
      : new Scheduler(db, {
          allowCommands: (namespace) => commandsAllowed(db, settings.allowCommands, namespace),
          log: (level, msg, err) => log[level]({ err }, msg),
        });
  scheduler?.start();
  const webhooks = opts.webhooks
    ? new WebhookSender(db, notifier, {
        // The bound port is known after listen (server.ts updates selfAddress).
        baseUrl: () => e.SIGNALBOX_PUBLIC_URL ?? ownBaseUrl(settings.selfAddress ?? { host: e.HOST, port: e.PORT }),
        policy: () => webhookPolicy(settings.httpAllowedHosts),
        retry: { baseMs: e.SIGNALBOX_WEBHOOK_RETRY_BASE_MS },
        log: (level, msg, fields) => log[level](fields ?? {}, msg),
      })
    : null;
  webhooks?.start();
  return {
    db,
    notifier,
    workBell,
    events,
    worker,
    scheduler,
    webhooks,
    databaseUrl: conn.url,
    settings,
    adminSecret: seeded?.created ?? null,
    adminTokenFile: seeded?.file ?? null,
    async stop() {
      workBell.close();
      await scheduler?.stop();
      await webhooks?.stop();
      await worker?.stop();
      await notifier.stop();
      await db.$disconnect();
      await conn.release();
    },
  };
}

/**
 * First start: the `default` namespace and an admin token — SIGNALBOX_ADMIN_TOKEN if set,
 * else a random one kept in `<data dir>/admin-token` (mode 0600). Returns the secret only
 * when this start created a random one: it is printed once, at creation (server.ts).
 */
async function seed(
  db: Db,
  port: number,
  allowCommands: boolean,
): Promise<{ created: string | null; file: string | null }> {
  const e = env();
  await ensureNamespace(db, "default");
  const file = path.resolve(e.SIGNALBOX_DATA_DIR, "admin-token");
  let created: string | null = null;
  const given = e.SIGNALBOX_ADMIN_TOKEN;
  if (given) {
    if (!(await authenticate(db, given))) {
      if (await db.apiToken.findUnique({ where: { tokenHash: hashToken(given) }, select: { id: true } })) {
        throw new StartError(
          "SIGNALBOX_ADMIN_TOKEN names a token that was revoked or has expired: unset it, or set a new one of at least 32 characters, and start again.",
        );
      }
      // Two processes starting at once on a new database both get here: the second's insert
      // is a unique violation on the token's hash, and the token it wanted now exists.
      await createToken(db, { namespace: "default", name: "admin", role: "ADMIN", secret: given }).catch(
        async (err) => {
          if (!(await authenticate(db, given))) throw err;
        },
      );
    }
  } else {
    const saved = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
    if (!saved || !(await authenticate(db, saved))) {
      const admins = await db.apiToken.count({ where: { role: "ADMIN", revokedAt: null } });
      if (admins === 0) {
        created = (await createToken(db, { namespace: "default", name: "admin", role: "ADMIN" })).secret;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, created, { mode: 0o600 });
        fs.chmodSync(file, 0o600);
      }
    }
  }
  await seedExamples(db, "default", port, allowCommands);
  return { created, file: !given && fs.existsSync(file) ? file : null };
}

import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";

type SchemaEngine = bindings.SchemaEngine;
let loaded = false;

/** The package's entry imports `.wasm` as an ES module (a Node flag); instantiate it by hand. */
async function loadWasm(): Promise<typeof bindings.SchemaEngine> {
  if (!loaded) {
    const bgJs = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = path.join(path.dirname(bgJs), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {
      "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as unknown as { __wbindgen_start: () => void };
    (bindings as unknown as { __wbg_set_wasm: (w: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    loaded = true;
  }
  return bindings.SchemaEngine;
}

/**
 * Prisma's schema engine compiled to WebAssembly: migrations offline, in Prisma's
 * standard `prisma/migrations/<ts>_<name>/migration.sql` layout, recorded in
 * `_prisma_migrations` exactly as `prisma migrate deploy` would.
 */
const PRISMA_DIR = path.resolve(import.meta.dirname, "../../prisma");
export const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");

/**
 * The engine plus a `close` that also ends its connections: it holds migrate's advisory
 * lock on a pooled session, so a pool left open would block every other process's migrate.
 */
async function openSchemaEngine(
  databaseUrl: string,
  schemaPath = SCHEMA_PATH,
): Promise<{ engine: SchemaEngine; close: () => Promise<void> }> {
  // Discrete fields, not `connectionString`: the adapter's shadow database overrides only
  // `database`, which a connection string would silently take precedence over.
  const u = new URL(databaseUrl);
  const config = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  };
  const opened: { dispose(): Promise<void> }[] = [];
  const adapter = bindMigrationAwareSqlAdapterFactory(shadowSafeFactory(config, opened));
  const datamodel = fs.readFileSync(schemaPath, "utf8");
  const SchemaEngine = await loadWasm();
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, datamodel]] }, () => {}, adapter);
  return {
    engine,
    close: async () => {
      engine.free();
      await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
    },
  };
}

/** The migrations folder as the schema engine wants it. */
export function readMigrations(dir = MIGRATIONS_DIR) {
  const lockPath = path.join(dir, "migration_lock.toml");
  const dirs = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/**
 * PrismaPg's own shadow database is dropped while its pool still holds a connection
 * ("being accessed by other users"); this one closes the pool first.
 */
function shadowSafeFactory(config: pg.PoolConfig, opened: { dispose(): Promise<void> }[]) {
  const base = new PrismaPg(config);
  return {
    provider: "postgres" as const,
    adapterName: base.adapterName,
    connect: async () => {
      const a = await base.connect();
      opened.push(a);
      return a;
    },
    async connectToShadowDb() {
      const name = `prisma_shadow_${crypto.randomUUID().replace(/-/g, "")}`;
      const admin = async (sql: string) => {
        const client = new pg.Client(config);
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      await admin(`CREATE DATABASE "${name}"`);
      const inner = await new PrismaPg({ ...config, database: name }).connect();
      const release = inner.dispose.bind(inner);
      inner.dispose = async () => {
        await release();
        await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return inner;
    },
  };
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

/** Apply every pending migration; returns the names applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const { engine, close } = await openSchemaEngine(databaseUrl);
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(), filters: NO_FILTER });
    return out.appliedMigrationNames;
  } finally {
    await close();
  }
}

/** SQL that takes a database from schema `fromPath` (or empty) to schema `toPath`. */
export async function diffSchemas(databaseUrl: string, fromPath: string | null, toPath: string): Promise<string> {
  const { engine, close } = await openSchemaEngine(databaseUrl, toPath);
  const target = (p: string) => ({
    tag: "schemaDatamodel" as const,
    files: [{ path: p, content: fs.readFileSync(p, "utf8") }],
  });
  try {
    const res = await engine.diff({
      from: fromPath ? target(fromPath) : { tag: "empty" },
      to: target(toPath),
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return res.stdout ?? "";
  } finally {
    await close();
  }
}

/**
 * Each migration folder keeps `schema.prisma` as it stood when the migration was made,
 * because the wasm engine cannot introspect a live database to diff against (it fails on
 * PostgreSQL's internal `char` columns). The newest snapshot is the migrations' end state.
 */
export function latestSnapshot(dir = MIGRATIONS_DIR): string | null {
  const { migrationDirectories } = readMigrations(dir);
  for (const m of [...migrationDirectories].reverse()) {
    const p = path.join(dir, m.path, "schema.prisma");
    if (fs.existsSync(p)) return p;
  }
  return null;
}

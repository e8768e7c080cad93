import fs from "node:fs";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import {
  applyMigrations,
  diffSchemas,
  latestSnapshot,
  MIGRATIONS_DIR,
  readMigrations,
  SCHEMA_PATH,
} from "../../lib/db/schema-engine";

/** A scratch database on the test server. */
async function scratch(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = inject("adminUrl");
  const name = `sbx_${tag}_${process.pid}_${Date.now()}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Tables, columns, types, nullability, defaults, indexes, constraints and enums of `public`. */
async function catalog(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const q = async (sql: string) => (await c.query(sql)).rows.map((r) => JSON.stringify(r));
    return [
      ...(await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
                   FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
                   ORDER BY table_name, column_name`)),
      ...(await q(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
      )),
      ...(await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                   WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '_prisma_migrations%' ORDER BY conname`)),
      ...(await q(
        `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY t.typname, e.enumsortorder`,
      )),
    ];
  } finally {
    await c.end();
  }
}

describe("migrations", () => {
  it("the migrated database matches schema.prisma exactly", async () => {
    const migrated = await scratch("migrated");
    const direct = await scratch("direct");
    try {
      const applied = await applyMigrations(migrated.url);
      expect(applied).toEqual(readMigrations().migrationDirectories.map((d) => d.path));
      // Build the schema straight from schema.prisma (empty → schema diff) and compare catalogs.
      const sql = await diffSchemas(direct.url, null, SCHEMA_PATH);
      const c = new pg.Client({ connectionString: direct.url });
      await c.connect();
      await c.query(sql);
      await c.end();
      expect(await catalog(migrated.url)).toEqual(await catalog(direct.url));
    } finally {
      await migrated.drop();
      await direct.drop();
    }
  });

  it("the newest migration snapshot is schema.prisma (no pending `npm run db:migration`)", async () => {
    const snap = latestSnapshot();
    expect(snap).not.toBeNull();
    const db = await scratch("diff");
    try {
      const sql = await diffSchemas(db.url, snap, SCHEMA_PATH);
      expect(sql.trim()).toMatch(/^(-- This is an empty migration\.)?$/);
    } finally {
      await db.drop();
    }
  });

  it("records migrations in _prisma_migrations with Prisma's checksum and applies each once", async () => {
    const db = await scratch("record");
    try {
      await applyMigrations(db.url);
      expect(await applyMigrations(db.url)).toEqual([]);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const rows = (
        await c.query("SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name")
      ).rows;
      await c.end();
      const { createHash } = await import("node:crypto");
      for (const r of rows) {
        const file = fs.readFileSync(`${MIGRATIONS_DIR}/${r.migration_name}/migration.sql`);
        expect(r.checksum).toBe(createHash("sha256").update(file).digest("hex"));
        expect(r.finished_at).not.toBeNull();
      }
    } finally {
      await db.drop();
    }
  });
});

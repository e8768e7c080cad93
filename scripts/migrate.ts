/** `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
import { connectionUrl } from "../lib/db/connection";
import { applyMigrations } from "../lib/db/schema-engine";

const { url, release } = await connectionUrl((m) => console.log(m));
try {
  const applied = await applyMigrations(url);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
} finally {
  await release();
}

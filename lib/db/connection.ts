import { env } from "../env";
import { startEmbeddedPostgres } from "./embedded";

/**
 * The database to use: `DATABASE_URL` when set, otherwise the embedded PostgreSQL under
 * `SIGNALBOX_DATA_DIR` (started, or joined when another process already runs it).
 */
export async function connectionUrl(log: (m: string) => void = () => {}): Promise<{
  url: string;
  embedded: boolean;
  release: () => Promise<void>;
}> {
  const e = env();
  if (e.DATABASE_URL) return { url: e.DATABASE_URL, embedded: false, release: async () => {} };
  const db = await startEmbeddedPostgres(e.SIGNALBOX_DATA_DIR, log);
  return { url: db.url, embedded: true, release: db.stop };
}

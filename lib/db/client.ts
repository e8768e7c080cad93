import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "./generated/client";

/** The row types, for the layers above (app/, graphql/ import them from here, not from Prisma's output). */
export type { Pipeline, Run } from "./generated/client";
export { Prisma };
export type Db = PrismaClient;
/** A client inside `$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;

/** Pool and session limits. Why these values: see ARCHITECTURE.md "Database". */
export interface DbOptions {
  max?: number;
  /** Fail fast instead of queueing forever when the pool is exhausted or the server is gone. */
  connectionTimeoutMillis?: number;
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** Called for every SQL statement the client sends (benchmarks count them). */
  onQuery?: (sql: string) => void;
}

/** A Prisma client on the pg driver adapter (no engine binary, works offline). */
export function createDb(url: string, opts: DbOptions = {}): Db {
  const adapter = new PrismaPg(
    {
      connectionString: url,
      max: opts.max ?? 20,
      connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
      statement_timeout: opts.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs ?? 30_000,
      application_name: "signalbox",
    },
    // Named statements are parsed and planned once per connection (pg caches them by name).
    { statementNameGenerator: (q) => statementName(q.sql) },
  );
  const transactionOptions = { maxWait: 10_000, timeout: 30_000 };
  if (!opts.onQuery) return new PrismaClient({ adapter, transactionOptions });
  const onQuery = opts.onQuery;
  const client = new PrismaClient({ adapter, transactionOptions, log: [{ level: "query", emit: "event" }] });
  client.$on("query", (e) => onQuery(e.query));
  return client as unknown as Db;
}

const names = new Map<string, string>();
function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `sbx_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    if (names.size > 5_000) names.clear();
    names.set(sql, name);
  }
  return name;
}

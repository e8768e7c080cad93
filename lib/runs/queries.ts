import type { Db } from "../db/client";
import type { Run, RunStatus, RunTrigger } from "../db/generated/client";
import { configOf } from "../engine/node-config";
import { type NodeSnapshot, nodeSnapshot } from "../engine/snapshot";
import { DomainError } from "../errors";
import { toRecord } from "../events/read";
import { type EventPage, type EventType, MAX_PAGE } from "../events/types";

/** Ids are UUIDs; anything else cannot exist, and must never reach a `::uuid` cast. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string): boolean => UUID.test(s);

const MAX_RUNS_PAGE = 200;

export interface RunFilter {
  namespace: string;
  status?: RunStatus[] | null;
  pipeline?: string | null;
  /** Case-insensitive match on label or pipeline name, or an exact run id. */
  search?: string | null;
  first?: number | null;
  /** Opaque cursor from a previous page's `endCursor`. */
  after?: string | null;
  /** What started the runs (SPEC §11): any of these. */
  trigger?: RunTrigger[] | null;
}

export interface RunPage {
  /**
   * A time at or before this page was read, for `runsChangedSince(since:)`. Taken before the
   * read, minus a margin for clock skew between this process and PostgreSQL (whose clock
   * stamps `runs.updated_at`): a replay may repeat a change, never miss one.
   */
  asOf: Date;
  /** Without `spec` (up to 1 MiB each, never needed by a list): Run.spec reads it by id. */
  runs: Run[];
  /** Cursor of each run, same order as `runs`. */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Cursors are opaque to clients; inside they name the last run seen. */
const encodeCursor = (id: string) => Buffer.from(`run:${id}`).toString("base64url");

function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, "base64url").toString();
  const id = raw.startsWith("run:") ? raw.slice(4) : "";
  if (!isUuid(id)) throw new DomainError("BAD_INPUT", "invalid cursor");
  return id;
}

/**
 * A page of the namespace's runs, newest first (createdAt, then id). Keyset pagination:
 * the cursor names the last run of the previous page and the database compares against
 * that row's exact values, so concurrent inserts never shift or repeat a page.
 */
/** How far this process's clock may be ahead of PostgreSQL's (see RunPage.asOf). */
const CLOCK_SLACK_MS = 2_000;

/** A time at or before "now" on PostgreSQL's clock: `runsChangedSince(since:)` from here misses nothing. */
export function changesSince(): Date {
  return new Date(Date.now() - CLOCK_SLACK_MS);
}

export async function listRuns(db: Db, f: RunFilter): Promise<RunPage> {
  const first = f.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_RUNS_PAGE) {
    throw new DomainError("BAD_INPUT", `first must be 1..${MAX_RUNS_PAGE}`);
  }
  const asOf = changesSince();
  const search = f.search?.trim();
  // `contains` becomes LIKE '%…%' unescaped: make % _ \ match themselves.
  const pattern = search?.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  const rows = await db.run.findMany({
    where: {
      namespace: f.namespace,
      ...(f.status?.length ? { status: { in: f.status } } : {}),
      ...(f.pipeline ? { pipelineName: f.pipeline } : {}),
      ...(f.trigger?.length ? { trigger: { in: f.trigger } } : {}),
      ...(search
        ? {
            OR: [
              { label: { contains: pattern, mode: "insensitive" as const } },
              { pipelineName: { contains: pattern, mode: "insensitive" as const } },
              ...(isUuid(search) ? [{ id: search }] : []),
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...(f.after ? { cursor: { id: decodeCursor(f.after) }, skip: 1 } : {}),
    take: first + 1,
    // 200 specs of up to 1 MiB each would be read, parsed and held for a page of ids.
    omit: { spec: true },
  });
  const runs = rows.slice(0, first) as Run[];
  const cursors = runs.map((r) => encodeCursor(r.id));
  return { asOf, runs, cursors, endCursor: cursors.at(-1) ?? null, hasNextPage: rows.length > first };
}

/** A run of `namespace`, or null — another namespace's run looks exactly like a missing one. */
export async function getRun(db: Db, namespace: string, id: string): Promise<Run | null> {
  if (!isUuid(id)) return null;
  return db.run.findFirst({ where: { id, namespace } });
}

/** The re-runs of each of `ids` (runs of `namespace`), newest first, at most `first` each. */
export async function listReruns(
  db: Db,
  namespace: string,
  ids: readonly string[],
  first: number,
): Promise<Map<string, Run[]>> {
  const valid = ids.filter(isUuid);
  const byRun = new Map<string, Run[]>(ids.map((id) => [id, []]));
  if (valid.length === 0) return byRun;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT x.id::text AS id FROM unnest(${valid}::uuid[]) AS s(id)
    CROSS JOIN LATERAL (
      SELECT r.id FROM runs r WHERE r.rerun_of_id = s.id AND r.namespace = ${namespace}
      ORDER BY r.created_at DESC, r.id DESC LIMIT ${first}
    ) x`;
  if (rows.length === 0) return byRun;
  const runs = await db.run.findMany({
    where: { id: { in: rows.map((r) => r.id) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    omit: { spec: true },
  });
  for (const r of runs) if (r.rerunOfId) byRun.get(r.rerunOfId)?.push(r as Run);
  return byRun;
}

/** Runs by id (one query), restricted to `namespace` unless it is null (trusted callers). */
export async function getRuns(db: Db, namespace: string | null, ids: readonly string[]): Promise<Run[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db.run.findMany({ where: { id: { in: valid }, ...(namespace ? { namespace } : {}) } });
}

/** Most nodes one `Run.nodes` page returns (`first`, default 1,000). */
export const MAX_NODES_PAGE = 5_000;
const DEFAULT_NODES_PAGE = 1_000;

/** A page of a run's nodes in DAG position order: at most `first`, after the node keyed `after`. */
export interface NodesPage {
  first: number;
  /** The key of the last node of the previous page; an unknown key gives an empty page. */
  after: string | null;
}

export function nodesPage(first: number | null | undefined, after: string | null | undefined): NodesPage {
  const n = first ?? DEFAULT_NODES_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES_PAGE) {
    throw new DomainError("BAD_INPUT", `first must be 1..${MAX_NODES_PAGE}`);
  }
  if (after != null && after.length > 1_000) throw new DomainError("BAD_INPUT", "after is not a node key");
  return { first: n, after: after ?? null };
}

/**
 * The same page of nodes for several runs, each run's in DAG position order: the page's
 * node ids per run in one statement (LATERAL, so a run with 10,000 nodes reads only its
 * page), then those rows in one query.
 */
export async function listNodes(
  db: Db,
  runIds: readonly string[],
  page: NodesPage = { first: MAX_NODES_PAGE, after: null },
): Promise<Map<string, NodeSnapshot[]>> {
  const byRun = new Map<string, NodeSnapshot[]>(runIds.map((id) => [id, []]));
  const valid = runIds.filter(isUuid);
  if (valid.length === 0) return byRun;
  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT x.id FROM unnest(${valid}::uuid[]) AS r(id)
    CROSS JOIN LATERAL (
      SELECT n.id FROM run_nodes n
      WHERE n.run_id = r.id
        AND n.position > CASE WHEN ${page.after}::text IS NULL THEN -1 ELSE COALESCE(
          (SELECT p.position FROM run_nodes p WHERE p.run_id = r.id AND p.key = ${page.after}::text),
          2147483647) END
      ORDER BY n.position LIMIT ${page.first}
    ) x`;
  if (ids.length === 0) return byRun;
  const rows = await db.runNode.findMany({
    where: { id: { in: ids.map((i) => i.id) } },
    orderBy: [{ runId: "asc" }, { position: "asc" }],
  });
  for (const r of rows) byRun.get(r.runId)?.push(nodeSnapshot(r));
  return byRun;
}

/** The dependencies of several runs' nodes (key, needs, parent only: no outputs read). */
export async function listEdges(
  db: Db,
  runIds: readonly string[],
): Promise<Map<string, { key: string; needs: string[]; parentKey: string | null }[]>> {
  const byRun = new Map<string, { key: string; needs: string[]; parentKey: string | null }[]>(
    runIds.map((id) => [id, []]),
  );
  const valid = runIds.filter(isUuid);
  if (valid.length === 0) return byRun;
  const rows = await db.runNode.findMany({
    where: { runId: { in: valid } },
    orderBy: [{ runId: "asc" }, { position: "asc" }],
    select: { runId: true, key: true, needs: true, parentKey: true },
  });
  for (const r of rows) byRun.get(r.runId)?.push(r);
  return byRun;
}

/** Nodes by id (one query), restricted to runs of `namespace`. */
export async function getNodes(db: Db, namespace: string, ids: readonly string[]): Promise<NodeSnapshot[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const rows = await db.runNode.findMany({ where: { id: { in: valid }, run: { namespace } } });
  return rows.map(nodeSnapshot);
}

/** Gates waiting for a human across the namespace's runs (the inbox), oldest first. */
export async function waitingGates(db: Db, namespace: string, limit = 500): Promise<NodeSnapshot[]> {
  const rows = await db.runNode.findMany({
    where: { status: "WAITING", kind: "gate", run: { namespace } },
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return rows.map(nodeSnapshot);
}

/** What an external worker's report needs to be routed and fenced: the node's run and lease length. */
export interface NodeRef {
  runId: string;
  nodeId: string;
  leaseMs: number;
  kind: string;
  /** The current lease: its epoch and the API token that claimed it (external nodes). */
  leaseEpoch: number;
  leaseTokenId: string | null;
}

/** The node `nodeId` if it belongs to a run of `namespace`, else null. */
export async function getNodeRef(db: Db, namespace: string, nodeId: string): Promise<NodeRef | null> {
  if (!isUuid(nodeId)) return null;
  const n = await db.runNode.findFirst({
    where: { id: nodeId, run: { namespace } },
    select: { id: true, runId: true, config: true, kind: true, leaseEpoch: true, leaseTokenId: true },
  });
  if (!n) return null;
  const leaseMs = n.kind === "external" ? configOf(n, "external").leaseMs : 30_000;
  return {
    runId: n.runId,
    nodeId: n.id,
    leaseMs,
    kind: n.kind,
    leaseEpoch: n.leaseEpoch,
    leaseTokenId: n.leaseTokenId,
  };
}

/**
 * The same page of events (`seq > afterSeq`, at most `limit`, optionally by type) for
 * several runs in one statement — a primary-key range scan per run (LATERAL) — so a list
 * of runs that selects `events` costs one query, not one per run.
 */
export async function readEventsForRuns(
  db: Db,
  runIds: readonly string[],
  opts: { afterSeq: number; limit: number; types?: EventType[] | null },
): Promise<Map<string, EventPage>> {
  const ids = runIds.filter(isUuid);
  const limit = Math.min(Math.max(1, opts.limit), MAX_PAGE);
  const types = opts.types?.length ? opts.types : null;
  const rows = ids.length
    ? await db.$queryRaw<{ run_id: string; seq: number; type: string; at: Date; payload: Record<string, unknown> }[]>`
        SELECT r.id::text AS run_id, e.seq, e.type, e.at, e.payload
        FROM unnest(${ids}::uuid[]) AS r(id)
        CROSS JOIN LATERAL (
          SELECT seq, type, at, payload FROM run_events
          WHERE run_id = r.id AND seq > ${opts.afterSeq}
            AND (${types}::text[] IS NULL OR type = ANY(${types}::text[]))
          ORDER BY seq LIMIT ${limit + 1}
        ) e
        ORDER BY r.id, e.seq`
    : [];
  const pages = new Map<string, EventPage>(
    runIds.map((id) => [id, { events: [], nextSeq: opts.afterSeq, hasMore: false }]),
  );
  for (const row of rows) {
    const page = pages.get(row.run_id);
    if (!page) continue;
    if (page.events.length === limit) {
      page.hasMore = true;
      continue;
    }
    page.events.push(toRecord(row.run_id, row));
    page.nextSeq = row.seq;
  }
  return pages;
}

import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../db/client";
import { Prisma } from "../db/client";
import type { Run, RunTrigger } from "../db/generated/client";
import type { RunTx } from "../engine/run-tx";
import { costPayload } from "../engine/snapshot";
import { env } from "../env";
import { DomainError } from "../errors";
import { appendEvents } from "../events/append";
import { doorbell } from "../events/doorbell";
import { CHANNELS, type EventType } from "../events/types";
import { assertPayloadSize } from "../limits";
import type { PipelineSpec } from "../spec/types";
import { parseAndValidateSpec, validateSpec } from "../spec/validate";

export interface SubmitRunInput {
  namespace: string;
  /** A registered pipeline (latest version unless `version`)… */
  pipeline?: string | null;
  version?: number | null;
  /** …or an inline spec: JSON/YAML text or an object. */
  spec?: unknown;
  params?: Record<string, unknown> | null;
  budget?: number | null;
  label?: string | null;
  idempotencyKey?: string | null;
  /** What started it (SPEC §11): API unless said. */
  trigger?: RunTrigger;
  /** The schedule that fired it (trigger SCHEDULE). */
  scheduleId?: string | null;
  /** The run it re-runs (trigger RERUN). */
  rerunOfId?: string | null;
}

export interface SubmitOptions {
  allowCommands: boolean;
}

/** A validated spec and the pipeline version it came from (null for an inline spec). */
export interface ResolvedSpec {
  spec: PipelineSpec;
  pipelineName: string | null;
  pipelineVersion: number | null;
}

export type NodeRow = Prisma.RunNodeCreateManyInput;

/**
 * What a re-run puts into its new run as it is created (lib/runs/rerun-run.ts): in the
 * creating transaction, so no worker can see the run before its reused nodes exist.
 */
export interface RunSeed {
  /** The node rows to insert instead of the spec's fresh PENDING ones. */
  nodes(fresh: NodeRow[]): NodeRow[];
  /** After the rows exist: emit the events that describe them (and copy what else they bring). */
  record(c: RunTx): Promise<void>;
}

async function resolveSpec(db: Db, input: SubmitRunInput, opts: SubmitOptions): Promise<ResolvedSpec> {
  if (input.pipeline) {
    const p = await db.pipeline.findFirst({
      where: { namespace: input.namespace, name: input.pipeline, ...(input.version ? { version: input.version } : {}) },
      orderBy: { version: "desc" },
    });
    if (!p)
      throw new DomainError(
        "NOT_FOUND",
        `pipeline ${input.pipeline}${input.version ? ` v${input.version}` : ""} not found`,
      );
    const checked = validateSpec(p.spec, opts);
    if (!checked.ok)
      throw new DomainError("INVALID_SPEC", "the pipeline's spec is not valid here", { problems: checked.problems });
    return { spec: checked.spec, pipelineName: p.name, pipelineVersion: p.version };
  }
  if (input.spec === undefined || input.spec === null)
    throw new DomainError("BAD_INPUT", "give either pipeline or spec");
  const checked =
    typeof input.spec === "string" ? parseAndValidateSpec(input.spec, opts) : validateSpec(input.spec, opts);
  if (!checked.ok) {
    throw new DomainError("INVALID_SPEC", `invalid spec: ${checked.problems.length} problem(s)`, {
      problems: checked.problems,
    });
  }
  return { spec: checked.spec, pipelineName: null, pipelineVersion: null };
}

/**
 * Create a QUEUED run from a pipeline version or an inline spec: the run keeps an exact
 * snapshot of the spec and params it will execute. A repeated `idempotencyKey` in the
 * namespace returns the first run instead of creating another.
 */
export async function submitRun(db: Db, input: SubmitRunInput, opts: SubmitOptions): Promise<Run> {
  if (input.idempotencyKey) {
    const prior = await db.run.findUnique({
      where: { namespace_idempotencyKey: { namespace: input.namespace, idempotencyKey: input.idempotencyKey } },
    });
    if (prior) return prior;
  }
  if (input.budget !== undefined && input.budget !== null && (!Number.isFinite(input.budget) || input.budget < 0)) {
    throw new DomainError("BAD_INPUT", "budget must be a non-negative number");
  }
  assertPayloadSize(input.params ?? null, "params");
  if (input.label && input.label.length > 200) throw new DomainError("BAD_INPUT", "label: at most 200 characters");
  const resolved = await resolveSpec(db, input, opts);
  try {
    return await createRun(db, input, resolved);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002" && input.idempotencyKey) {
      return db.run.findUniqueOrThrow({
        where: { namespace_idempotencyKey: { namespace: input.namespace, idempotencyKey: input.idempotencyKey } },
      });
    }
    throw e;
  }
}

/**
 * Insert a QUEUED run of `resolved` with its nodes and first events in one transaction,
 * then ring the doorbells. `seed` (a re-run's reused nodes) runs inside that transaction.
 * Callers validate `input` first (submitRun; rerunRun).
 */
export async function createRun(db: Db, input: SubmitRunInput, resolved: ResolvedSpec, seed?: RunSeed): Promise<Run> {
  const { spec, pipelineName, pipelineVersion } = resolved;
  const id = randomUUID();
  const params = { ...spec.params, ...(input.params ?? {}) };
  const budget = input.budget ?? spec.budget ?? null;
  const run = await db.$transaction(async (tx) => {
    await assertRoomForRun(tx, input.namespace);
    const run = await tx.run.create({
      data: {
        id,
        namespace: input.namespace,
        label: input.label ?? spec.name,
        pipelineName: pipelineName ?? spec.name,
        pipelineVersion,
        spec: spec as unknown as object,
        params: params as object,
        budget,
        idempotencyKey: input.idempotencyKey ?? null,
        trigger: input.trigger ?? "API",
        scheduleId: input.scheduleId ?? null,
        rerunOfId: input.rerunOfId ?? null,
      },
    });
    const fresh: NodeRow[] = spec.nodes.map((n, i) => ({
      id: randomUUID(),
      runId: id,
      key: n.id,
      kind: n.kind,
      label: n.label ?? null,
      needs: n.needs,
      config: n as unknown as object,
      position: i,
    }));
    await tx.runNode.createMany({ data: seed ? seed.nodes(fresh) : fresh });
    const events: { type: EventType; payload: Record<string, unknown> }[] = [
      { type: "RUN_STATUS", payload: { status: "QUEUED", reason: null, progress: 0 } },
      ...(budget !== null ? [{ type: "COST_UPDATE" as const, payload: costPayload(run) }] : []),
    ];
    if (seed) {
      // The row was inserted by this transaction: nobody else can see it, let alone lock
      // it, until commit — so this is a state change under the run's lock like withRun's,
      // and its events go into the same append as the creation's.
      const c: RunTx = {
        tx,
        run,
        emit: (type, payload) => events.push({ type, payload }),
        wakeWorkers: () => {}, // creating a run rings the workers anyway
        signalCancel: () => {},
        refresh: async () => {
          c.run = await tx.run.findUniqueOrThrow({ where: { id } });
          return c.run;
        },
      };
      await seed.record(c);
    }
    await appendEvents(tx, id, events);
    return tx.run.findUniqueOrThrow({ where: { id } });
  });
  const bell = doorbell(db);
  bell.events(id, run.lastSeq);
  bell.other(CHANNELS.runs, `${input.namespace}:${id}`);
  bell.other(CHANNELS.work, id);
  return run;
}

/**
 * At most SIGNALBOX_MAX_ACTIVE_RUNS unfinished runs (queued, running, paused) per
 * namespace, so one namespace cannot fill the queue. Concurrent submits in a namespace
 * serialize on a transaction-scoped advisory lock, so the count cannot be raced past.
 */
async function assertRoomForRun(tx: Tx, namespace: string): Promise<void> {
  const max = env().SIGNALBOX_MAX_ACTIVE_RUNS;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`signalbox:submit:${namespace}`}, 0))`;
  const [{ active }] = await tx.$queryRaw<{ active: number }[]>`
    SELECT count(*)::int AS active FROM runs
    WHERE namespace = ${namespace} AND status IN ('QUEUED', 'RUNNING', 'PAUSED')`;
  if (active >= max) {
    throw new DomainError(
      "RATE_LIMITED",
      `namespace ${namespace} already has ${active} unfinished runs (the limit is ${max}); wait for some to finish or cancel some`,
      { active, limit: max },
    );
  }
}

import type { Db } from "../db/client";
import { Prisma } from "../db/client";
import type { Pipeline } from "../db/generated/client";
import { DomainError, notFound } from "../errors";
import type { PipelineSpec } from "../spec/types";
import { specChecksum, validateSpec } from "../spec/validate";

/**
 * Create the next version of pipeline `name` (1, 2, 3…). Versions are immutable; the
 * checksum is SHA-256 of the canonical JSON of the spec. Registering a spec identical to
 * the latest version returns that version instead of duplicating it.
 */
export async function createPipelineVersion(
  db: Db,
  input: { namespace: string; name: string; spec: PipelineSpec; promotedFrom?: string | null },
): Promise<Pipeline> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(input.name)) {
    throw new DomainError("BAD_INPUT", "pipeline name: letters, digits, . _ - (max 200)");
  }
  const spec = { ...input.spec, name: input.name };
  const checksum = specChecksum(spec);
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = await db.pipeline.findFirst({
      where: { namespace: input.namespace, name: input.name },
      orderBy: { version: "desc" },
    });
    if (latest && latest.checksum === checksum && !input.promotedFrom) return latest;
    try {
      return await db.pipeline.create({
        data: {
          namespace: input.namespace,
          name: input.name,
          version: (latest?.version ?? 0) + 1,
          checksum,
          spec: spec as unknown as object,
          promotedFrom: input.promotedFrom ?? null,
        },
      });
    } catch (e) {
      // Two creators raced for the same version number: take the next one.
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")) throw e;
    }
  }
  throw new DomainError("CONFLICT", "too many concurrent versions of this pipeline");
}

/** Promote a SUCCEEDED run: its exact spec becomes the next version of `name`. */
export async function promoteRun(db: Db, input: { namespace: string; runId: string; name: string }): Promise<Pipeline> {
  const run = await db.run.findFirst({ where: { id: input.runId, namespace: input.namespace } });
  if (!run) throw notFound("run");
  if (run.status !== "SUCCEEDED") {
    throw new DomainError("INVALID_TRANSITION", `only a SUCCEEDED run can be promoted (this one is ${run.status})`);
  }
  const checked = validateSpec(run.spec, { allowCommands: true });
  if (!checked.ok)
    throw new DomainError("INVALID_SPEC", "the run's spec no longer validates", { problems: checked.problems });
  const spec = { ...checked.spec, params: { ...checked.spec.params, ...(run.params as object) } };
  return createPipelineVersion(db, { namespace: input.namespace, name: input.name, spec, promotedFrom: run.id });
}

export async function listPipelines(db: Db, namespace: string): Promise<Pipeline[]> {
  return db.pipeline.findMany({ where: { namespace }, orderBy: [{ name: "asc" }, { version: "desc" }] });
}

export async function getPipeline(
  db: Db,
  namespace: string,
  name: string,
  version?: number | null,
): Promise<Pipeline | null> {
  return db.pipeline.findFirst({
    where: { namespace, name, ...(version ? { version } : {}) },
    orderBy: { version: "desc" },
  });
}

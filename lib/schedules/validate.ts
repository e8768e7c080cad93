import type { Db } from "../db/client";
import type { OverlapPolicy, Schedule } from "../db/generated/client";
import { DomainError } from "../errors";
import { jsonBytes, MAX_PAYLOAD_BYTES } from "../limits";
import { validateSpec } from "../spec/validate";
import { canonicalTimeZone, cronProblem } from "./cron";

/**
 * What a create or update gives. `undefined` leaves a field as it is (update) or takes
 * its default (create); `null` clears the nullable ones (`version`: latest, `budget`:
 * none, `params`: `{}`) and leaves the others alone.
 */
export interface ScheduleInput {
  name?: string | null;
  pipeline?: string | null;
  version?: number | null;
  cron?: string | null;
  timezone?: string | null;
  params?: unknown;
  budget?: number | null;
  overlap?: OverlapPolicy | null;
  catchUp?: number | null;
  enabled?: boolean | null;
}

/** A schedule's settings, checked and normalized (time zone canonical, cron trimmed). */
export type ScheduleFields = Pick<
  Schedule,
  "name" | "pipeline" | "version" | "cron" | "timezone" | "budget" | "overlap" | "catchUp" | "enabled"
> & { params: Record<string, unknown> };

/** One thing wrong with the input, at its field (the form shows it there). */
interface ScheduleProblem {
  path: keyof ScheduleInput;
  message: string;
}

/** At most this many missed fires run after downtime (each is a run started at once). */
const MAX_CATCH_UP = 100;

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

const DEFAULTS = {
  version: null,
  timezone: "UTC",
  params: {},
  budget: null,
  overlap: "SKIP",
  catchUp: 1,
  enabled: true,
} satisfies Partial<ScheduleFields>;

/**
 * Check a create (`base` null) or an update (`base` the stored schedule) and return the
 * resulting settings, or throw one DomainError listing every problem with its field:
 * NOT_FOUND when the only problem is a pipeline or version that does not exist, else
 * BAD_INPUT. `details.field` is the first problem's field, `details.problems` all of them.
 * The pipeline's spec must be valid here (`allowCommands`), as a run of it would be.
 */
export async function checkScheduleInput(
  db: Db,
  namespace: string,
  input: ScheduleInput,
  base: ScheduleFields | null,
  opts: { allowCommands: boolean },
): Promise<ScheduleFields> {
  const problems: ScheduleProblem[] = [];
  const missing = new Set<keyof ScheduleInput>();
  const pick = <K extends keyof ScheduleFields>(k: K, fallback: ScheduleFields[K]): ScheduleFields[K] => {
    const v = (input as Partial<ScheduleFields>)[k];
    return v === undefined || (v === null && !(k === "version" || k === "budget"))
      ? (base?.[k] ?? fallback)
      : (v as ScheduleFields[K]);
  };

  const name = (input.name ?? base?.name ?? "").trim();
  if (!NAME.test(name))
    problems.push({ path: "name", message: "1–100 letters, digits, spaces, . _ -; starting with a letter or digit" });

  const timezone = canonicalTimeZone(pick("timezone", DEFAULTS.timezone));
  if (!timezone)
    problems.push({
      path: "timezone",
      message: `unknown time zone "${input.timezone}": use an IANA name such as Europe/Berlin or UTC`,
    });

  const cron = (input.cron ?? base?.cron ?? "").trim();
  const cronWrong = cronProblem(cron, timezone ?? "UTC");
  if (cronWrong) problems.push({ path: "cron", message: cronWrong });

  const params = input.params === undefined ? (base?.params ?? {}) : (input.params ?? {});
  if (typeof params !== "object" || Array.isArray(params) || params === null) {
    problems.push({ path: "params", message: 'must be a JSON object, e.g. {"region": "eu"}' });
  } else if (jsonBytes(params) > MAX_PAYLOAD_BYTES) {
    problems.push({ path: "params", message: `at most ${MAX_PAYLOAD_BYTES / 1024} KiB of JSON` });
  }

  const budget = pick("budget", DEFAULTS.budget);
  if (budget !== null && (!Number.isFinite(budget) || budget < 0))
    problems.push({ path: "budget", message: "a number ≥ 0, or empty for no budget" });

  const catchUp = pick("catchUp", DEFAULTS.catchUp);
  if (!Number.isInteger(catchUp) || catchUp < 0 || catchUp > MAX_CATCH_UP)
    problems.push({ path: "catchUp", message: `a whole number from 0 to ${MAX_CATCH_UP}` });

  const version = pick("version", DEFAULTS.version);
  if (version !== null && (!Number.isInteger(version) || version < 1))
    problems.push({ path: "version", message: "a version number (1, 2, …), or empty for the latest" });

  const pipeline = (input.pipeline ?? base?.pipeline ?? "").trim();
  if (!pipeline) problems.push({ path: "pipeline", message: "choose a registered pipeline" });
  else if (!problems.some((p) => p.path === "version")) {
    const found = await db.pipeline.findFirst({
      where: { namespace, name: pipeline, ...(version !== null ? { version } : {}) },
      orderBy: { version: "desc" },
      select: { spec: true },
    });
    if (!found) {
      const exists = version !== null && (await db.pipeline.count({ where: { namespace, name: pipeline } })) > 0;
      const path = exists ? "version" : "pipeline";
      missing.add(path);
      problems.push({
        path,
        message: exists ? `pipeline ${pipeline} has no version ${version}` : `no pipeline named ${pipeline}`,
      });
    } else {
      const checked = validateSpec(found.spec, opts);
      if (!checked.ok)
        problems.push({
          path: "pipeline",
          message: `its spec cannot run here: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
        });
    }
  }

  if (problems.length) {
    const code = problems.every((p) => missing.has(p.path)) ? "NOT_FOUND" : "BAD_INPUT";
    throw new DomainError(code, problems.map((p) => `${p.path}: ${p.message}`).join("; "), {
      field: problems[0].path,
      problems,
    });
  }
  return {
    name,
    pipeline,
    version,
    cron,
    timezone: timezone as string,
    params: params as Record<string, unknown>,
    budget,
    overlap: pick("overlap", DEFAULTS.overlap),
    catchUp,
    enabled: pick("enabled", DEFAULTS.enabled),
  };
}

import type { Role } from "../../lib/auth/tokens";
import type { Run } from "../../lib/db/client";
import { DomainError, notFound } from "../../lib/errors";
import { getRun } from "../../lib/runs/queries";
import { requireRole } from "../auth";
import type { GraphQLContext } from "../context";

/**
 * Authorize an operation on a run: role first (so a missing role never reveals whether
 * the run exists), then the run must be in the caller's namespace — another namespace's
 * run is NOT_FOUND, exactly like a missing one.
 */
export async function authorizedRun(ctx: GraphQLContext, id: string, role: Role): Promise<Run> {
  requireRole(ctx.viewer, role);
  const run = await getRun(ctx.runtime.db, ctx.viewer.namespace, id);
  if (!run) throw notFound("run");
  return run;
}

/** A JSON argument that must be an object (or absent). */
export function jsonObject(value: unknown, name: string): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value))
    throw new DomainError("BAD_INPUT", `${name} must be an object`);
  return value as Record<string, unknown>;
}

/** An integer argument within bounds, else BAD_INPUT. */
export function intIn(value: number | null | undefined, name: string, min: number, max: number, fallback: number) {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new DomainError("BAD_INPUT", `${name} must be ${min}..${max}`);
  return v;
}

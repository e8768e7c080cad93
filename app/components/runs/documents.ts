import type { RunsQuery, RunTrigger } from "@/app/graphql/generated";
import type { RunStatus } from "@/app/graphql/types";

export const RUNS_PAGE_SIZE = 25;

/** Exactly the variables the server page used, so its data seeds the same cache entry. */
export interface RunsVariables {
  status: RunStatus[] | null;
  pipeline: string | null;
  search: string | null;
  first: number;
  after: string | null;
  trigger: RunTrigger[] | null;
}

/** The `Runs` query's data, which the server page passes in. */
export type RunsData = RunsQuery;

export const RUN_STATUSES: RunStatus[] = ["QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "CANCELLED"];

/** What can start a run (SPEC §11), in the order the trigger filter lists them. */
export const RUN_TRIGGERS: RunTrigger[] = ["MANUAL", "API", "SCHEDULE", "RERUN"];

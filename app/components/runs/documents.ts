import { gql } from "@urql/core";
import { RUN_LIST_FIELDS } from "../live/fragments";
import type { RunStatus, RunSummary } from "../live/types";

export const RUNS_PAGE_SIZE = 25;

export const RUNS_QUERY = gql`
  query Runs($status: [RunStatus!], $pipeline: String, $search: String, $first: Int, $after: String) {
    runs(status: $status, pipeline: $pipeline, search: $search, first: $first, after: $after) {
      nodes {
        ...RunListFields
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
  ${RUN_LIST_FIELDS}
`;

/** Exactly the variables the server page used, so its data seeds the same cache entry. */
export interface RunsVariables {
  status: RunStatus[] | null;
  pipeline: string | null;
  search: string | null;
  first: number;
  after: string | null;
}

export interface RunsData {
  runs: {
    __typename?: "RunConnection";
    nodes: RunSummary[];
    pageInfo: { __typename?: "PageInfo"; endCursor: string | null; hasNextPage: boolean };
  };
}

export const RUN_STATUSES: RunStatus[] = ["QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "CANCELLED"];

import { gql } from "@urql/core";
import { NODE_FIELDS, RUN_LIST_FIELDS } from "../live/fragments";
import type { RunNode, RunSummary } from "../live/types";

/** How many gates wait (the nav badge). */
export const GATE_COUNT_QUERY = gql`
  query InboxCount {
    gates {
      id
      runId
    }
  }
`;

/** The inbox: every waiting gate with its run. */
export const INBOX_QUERY = gql`
  query Inbox {
    gates {
      ...NodeFields
      run {
        ...RunListFields
      }
    }
  }
  ${NODE_FIELDS}
  ${RUN_LIST_FIELDS}
`;

export type InboxGate = RunNode & { run: RunSummary | null };

export const HUMAN_DECISION_MUTATION = gql`
  mutation HumanDecision($input: HumanDecisionInput!) {
    humanDecision(input: $input) {
      ...NodeFields
    }
  }
  ${NODE_FIELDS}
`;

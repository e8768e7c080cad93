import { gql } from "@urql/core";
import type { CombinedError } from "urql";
import { NODE_FIELDS } from "../live/fragments";

/** The console's mutations. Their effects arrive as events; results only confirm. */

const RUN_CONTROL_FIELDS = `id status statusReason progress cost { spent budget remaining }`;

export const PAUSE_RUN = gql`
  mutation PauseRun($id: ID!) { pauseRun(id: $id) { ${RUN_CONTROL_FIELDS} } }
`;
export const RESUME_RUN = gql`
  mutation ResumeRun($id: ID!) { resumeRun(id: $id) { ${RUN_CONTROL_FIELDS} } }
`;
export const CANCEL_RUN = gql`
  mutation CancelRun($id: ID!) { cancelRun(id: $id) { ${RUN_CONTROL_FIELDS} } }
`;
export const SET_BUDGET = gql`
  mutation SetBudget($id: ID!, $budget: Float!) { setBudget(id: $id, budget: $budget) { ${RUN_CONTROL_FIELDS} } }
`;

export const HUMAN_DECISION = gql`
  mutation HumanDecision($input: HumanDecisionInput!) {
    humanDecision(input: $input) {
      ...NodeFields
    }
  }
  ${NODE_FIELDS}
`;

export const PROMOTE_RUN = gql`
  mutation PromoteRun($runId: ID!, $name: String!) {
    promoteRun(runId: $runId, name: $name) {
      id
      name
      version
      checksum
      createdAt
      promotedFrom
    }
  }
`;

/** A mutation error as a person should read it: the first GraphQL message, else the network one. */
export function errorText(error: CombinedError | undefined): string | null {
  if (!error) return null;
  const g = error.graphQLErrors[0];
  if (g) return g.message;
  return error.networkError ? `Network error: ${error.networkError.message}` : error.message;
}

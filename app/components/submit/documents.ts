import { gql } from "@urql/core";
import { RUN_LIST_FIELDS } from "../live/fragments";

export const SUBMIT_RUN_MUTATION = gql`
  mutation SubmitRun($input: SubmitRunInput!) {
    submitRun(input: $input) {
      ...RunListFields
    }
  }
  ${RUN_LIST_FIELDS}
`;

export interface SubmitRunInput {
  pipeline?: string;
  version?: number;
  /** JSON/YAML text: the server parses it and reports problems with their paths. */
  spec?: string;
  params?: Record<string, unknown>;
  budget?: number;
  label?: string;
  idempotencyKey: string;
}

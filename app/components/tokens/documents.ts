import { gql } from "@urql/core";

/** Client documents of the tokens page (graphql/schema/tokens.graphql); admins only. */

export type Role = "VIEWER" | "OPERATOR" | "ADMIN";

export const ROLES: { value: Role; label: string; can: string }[] = [
  { value: "VIEWER", label: "Viewer", can: "Viewers read runs and watch them live." },
  {
    value: "OPERATOR",
    label: "Operator",
    can: "Operators also submit, cancel, pause and resume runs, set budgets, decide gates.",
  },
  { value: "ADMIN", label: "Admin", can: "Admins also promote runs to pipelines and manage tokens." },
];

export const CREATE_TOKEN_MUTATION = gql`
  mutation CreateToken($input: CreateTokenInput!) {
    createToken(input: $input) {
      token {
        id
        name
        role
        createdAt
      }
      secret
    }
  }
`;

export interface CreatedToken {
  token: { id: string; name: string; role: Role; createdAt: string };
  secret: string;
}

export const REVOKE_TOKEN_MUTATION = gql`
  mutation RevokeToken($id: ID!) {
    revokeToken(id: $id) {
      id
      revokedAt
    }
  }
`;

export const SET_NAMESPACE_SETTINGS_MUTATION = gql`
  mutation SetNamespaceSettings($allowCommands: Boolean!) {
    setNamespaceSettings(allowCommands: $allowCommands) {
      name
      allowCommands
      commandsAvailable
    }
  }
`;

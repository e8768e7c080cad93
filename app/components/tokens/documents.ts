import type { CreateTokenMutation } from "@/app/graphql/generated";
import type { Role } from "@/app/graphql/types";

/** The tokens page (admins only); its documents are in app/graphql/tokens.graphql. */

export type { Role };

export const ROLES: { value: Role; label: string; can: string }[] = [
  { value: "VIEWER", label: "Viewer", can: "Viewers read runs and watch them live." },
  {
    value: "OPERATOR",
    label: "Operator",
    can: "Operators also submit, cancel, pause and resume runs, set budgets, decide gates.",
  },
  { value: "ADMIN", label: "Admin", can: "Admins also promote runs to pipelines and manage tokens." },
];

export type CreatedToken = CreateTokenMutation["createToken"];

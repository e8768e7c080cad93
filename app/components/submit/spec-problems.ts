import type { SpecProblem } from "@signalbox/sdk/spec-problems";

export { type LocatedProblem, locateProblems, type SpecProblem } from "@signalbox/sdk/spec-problems";

/** The problems of an INVALID_SPEC error, or null for any other error. */
export function specProblemsOf(error: {
  graphQLErrors?: readonly { extensions?: Record<string, unknown> }[];
}): SpecProblem[] | null {
  for (const e of error.graphQLErrors ?? []) {
    if (e.extensions?.code === "INVALID_SPEC" && Array.isArray(e.extensions.problems)) {
      return e.extensions.problems as SpecProblem[];
    }
  }
  return null;
}

/** A readable message for a failed mutation: the server's words, without urql's "[GraphQL]" prefix. */
export function errorMessage(error: { message: string; graphQLErrors?: readonly { message: string }[] }): string {
  return error.graphQLErrors?.[0]?.message ?? error.message.replace(/^\[(GraphQL|Network)\]\s*/, "");
}

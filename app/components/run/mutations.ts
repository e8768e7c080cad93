import type { CombinedError } from "urql";

/** A mutation error as a person should read it: the first GraphQL message, else the network one. */
export function errorText(error: CombinedError | undefined): string | null {
  if (!error) return null;
  const g = error.graphQLErrors[0];
  if (g) return g.message;
  return error.networkError ? `Network error: ${error.networkError.message}` : error.message;
}

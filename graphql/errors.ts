import { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import { DomainError, isDomainError } from "../lib/errors";

/** HTTP status for errors that reject the whole request (GraphQL-over-HTTP). */
const HTTP_STATUS: Partial<Record<DomainError["code"], number>> = { UNAUTHENTICATED: 401 };

export const MASKED_MESSAGE = "Unexpected error.";

/** The domain error behind `error`, unwrapping graphql-js' located errors. */
export function domainErrorOf(error: unknown): DomainError | null {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (isDomainError(e)) return e;
    e = e instanceof GraphQLError ? e.originalError : null;
  }
  return null;
}

/**
 * The one place errors become what clients see (yoga `maskedErrors.maskError`, also used
 * by the WebSocket path): a DomainError keeps its message and gets `extensions.code`
 * (INVALID_SPEC also `extensions.problems`); GraphQL's own request errors (syntax,
 * validation, variables) pass through; anything else is masked — no stack, SQL or host.
 */
export function maskError(error: unknown): GraphQLError {
  const located = error instanceof GraphQLError ? error : null;
  const domain = domainErrorOf(error);
  if (domain) {
    const status = HTTP_STATUS[domain.code];
    return createGraphQLError(domain.message, {
      nodes: located?.nodes,
      source: located?.source,
      positions: located?.positions,
      path: located?.path,
      extensions: {
        code: domain.code,
        ...(domain.code === "INVALID_SPEC" ? { problems: domain.details.problems ?? [] } : {}),
        ...(status ? { http: { status } } : {}),
      },
    });
  }
  if (located && isOriginalGraphQLError(located)) return located;
  return createGraphQLError(MASKED_MESSAGE, {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/** A GraphQLError all the way down: GraphQL's own request errors, safe to show. */
function isOriginalGraphQLError(e: GraphQLError): boolean {
  let cur: unknown = e;
  while (cur instanceof GraphQLError) {
    if (!cur.originalError) return true;
    cur = cur.originalError;
  }
  return false;
}

/** Thrown when a request carries no valid token. */
export const unauthenticated = () => new DomainError("UNAUTHENTICATED", "a valid bearer token is required");
export const forbidden = (needed: string) => new DomainError("FORBIDDEN", `this needs the ${needed} role`);

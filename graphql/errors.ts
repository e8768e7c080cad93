import { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import { DomainError, isDomainError } from "../lib/errors";
import { log } from "../lib/log";

/** HTTP status for errors that reject the whole request (GraphQL-over-HTTP). */
const HTTP_STATUS: Partial<Record<DomainError["code"], number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

/**
 * Code of the error clients get when the database cannot be reached (or is too slow):
 * retryable, unlike the masked INTERNAL_SERVER_ERROR. HTTP 503 when it fails a request.
 */
export const UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE";
export const UNAVAILABLE_MESSAGE = "the database is unavailable; try again shortly";

/** PostgreSQL / pg / Prisma codes that mean "not reachable now", not "your request is wrong". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "P1001", // can't reach database server
  "P1002", // timed out
  "P1008", // operation timed out
  "P1017", // server closed the connection
  "P2024", // pool timeout
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "57014", // query_canceled (statement_timeout)
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|can't reach database|server has closed the connection|ECONNREFUSED|ECONNRESET|Connection refused|the database system is (shutting down|starting up)|terminating connection|canceling statement due to statement timeout/i;

/** True when `error` (or anything in its cause chain) says the database is unavailable. */
export function isUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; kind?: unknown; message?: unknown; originalCode?: unknown };
    if (typeof o.code === "string" && UNAVAILABLE_CODES.has(o.code)) return true;
    if (typeof o.originalCode === "string" && UNAVAILABLE_CODES.has(o.originalCode)) return true;
    if (typeof o.kind === "string" && UNAVAILABLE_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && UNAVAILABLE_MESSAGES.test(o.message)) return true;
    const next = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
    e = next;
  }
  return false;
}

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
 * (INVALID_SPEC also `extensions.problems: [{path, message}]`; an error about input
 * fields may carry them too, with `extensions.field`, the first one's path); GraphQL's
 * own request errors (syntax, validation, variables) pass through; anything else is
 * masked — no stack, SQL or host.
 */
export function maskError(error: unknown, requestId?: string): GraphQLError {
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
        ...(domain.code === "INVALID_SPEC" || domain.details.problems
          ? { problems: domain.details.problems ?? [] }
          : {}),
        // The input field a form shows the error at (e.g. `cron` of createSchedule).
        ...(typeof domain.details.field === "string" ? { field: domain.details.field } : {}),
        ...(status ? { http: { status } } : {}),
      },
    });
  }
  if (located && isOriginalGraphQLError(located)) return located;
  if (isUnavailable(error)) {
    return createGraphQLError(UNAVAILABLE_MESSAGE, {
      nodes: located?.nodes,
      path: located?.path,
      extensions: { code: UNAVAILABLE_CODE, http: { status: 503 } },
    });
  }
  logUnexpected(error, requestId);
  return createGraphQLError(MASKED_MESSAGE, {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

const logged = new WeakSet<object>();

/**
 * The details of a masked error go to the log, once, on every transport (yoga logs HTTP
 * errors itself; graphql-ws and graphql-sse do not), with the request id when known.
 */
function logUnexpected(error: unknown, requestId: string | undefined) {
  if (!error || typeof error !== "object" || logged.has(error)) return;
  logged.add(error);
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (typeof original === "object") logged.add(original);
  log.error({ err: original, ...(requestId ? { requestId } : {}) }, "unexpected error (masked for the client)");
}

/**
 * Log the errors of an operation's result that masking will hide, with the request id
 * from its context (yoga masks them later, in its own plugin, without the context). The
 * request id rides on the GraphQL context, not in an AsyncLocalStorage: that turned on
 * promise hooks for every promise in the process (~30% of a live delivery's cost).
 */
export function logResultErrors(result: { errors?: readonly unknown[] }, context: unknown): void {
  if (!result.errors) return;
  const requestId = (context as { requestId?: string } | null)?.requestId;
  for (const e of result.errors) maskError(e, requestId);
}

/** True when maskError already logged this error. */
export const wasLogged = (error: unknown) => !!error && typeof error === "object" && logged.has(error);

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

/** The server's error codes (SPEC §7), plus the SDK's own for transport failures. */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_SPEC"
  | "INVALID_TRANSITION"
  | "CONFLICT"
  | "BUDGET_EXCEEDED"
  | "LEASE_LOST"
  | "RATE_LIMITED"
  | "BAD_INPUT"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR"
  /** The server could not be reached, or the connection broke. */
  | "CONNECTION";

/** One problem of an invalid spec, at its path. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** An error of a Signalbox call, typed by the server's `extensions.code`. */
export class SignalboxError extends Error {
  override readonly name = "SignalboxError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** `INVALID_SPEC`: every problem with its path. */
    readonly problems: SpecProblem[] = [],
    /** The HTTP status, when the answer came over HTTP. */
    readonly status?: number,
  ) {
    super(message);
  }

  /** Worth trying again later: the connection, an overloaded or restarting server. */
  get retryable(): boolean {
    return this.code === "CONNECTION" || this.code === "SERVICE_UNAVAILABLE" || this.code === "RATE_LIMITED";
  }
}

export const isSignalboxError = (err: unknown, code?: ErrorCode): err is SignalboxError =>
  err instanceof SignalboxError && (code === undefined || err.code === code);

interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: string; problems?: SpecProblem[] };
}

/** The SDK's error for the first GraphQL error of an answer. */
export function fromGraphQLErrors(errors: readonly GraphQLErrorLike[], status?: number): SignalboxError {
  const first = errors[0] ?? {};
  const code = (first.extensions?.code ?? "INTERNAL_SERVER_ERROR") as ErrorCode;
  return new SignalboxError(code, first.message ?? "request failed", first.extensions?.problems ?? [], status);
}

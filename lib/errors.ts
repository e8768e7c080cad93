/** The closed list of error codes clients may rely on (SPEC §7). */
const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_SPEC",
  "INVALID_TRANSITION",
  "CONFLICT",
  "BUDGET_EXCEEDED",
  "LEASE_LOST",
  "RATE_LIMITED",
  "BAD_INPUT",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An expected failure with a code; mapped once to `extensions.code` by the API layer. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);

export function isDomainError(e: unknown, code?: ErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}

/** Exhaustiveness check for `switch` over unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}

/**
 * A readable message for anything thrown: Errors, and also plain objects with a
 * `message` (JSONata throws `{code, message, position, token}`), never "[object Object]".
 */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string") {
    const { message, position } = e as { message: string; position?: number };
    return typeof position === "number" ? `${message} (at ${position})` : message;
  }
  return String(e);
}

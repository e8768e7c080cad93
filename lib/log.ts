import pino from "pino";

/** Structured logs (JSON in production, one line each). Never log tokens. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  redact: {
    paths: ["authorization", "*.authorization", "headers.authorization", "headers.cookie", "token", "secret"],
    censor: "[redacted]",
  },
  base: { pid: process.pid },
});

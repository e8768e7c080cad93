import { availableParallelism } from "node:os";
import proxyAddr from "proxy-addr";
import { z } from "zod";

/**
 * Process configuration, parsed once. Normative names (SPEC §2): DATABASE_URL, PORT,
 * SIGNALBOX_ADMIN_TOKEN, SIGNALBOX_DATA_DIR, SIGNALBOX_ALLOW_COMMANDS,
 * SIGNALBOX_ALLOWED_ORIGINS. The rest are tuning knobs with safe defaults.
 */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** At least 32 characters: it is the key to the whole `default` namespace. */
  SIGNALBOX_ADMIN_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  SIGNALBOX_DATA_DIR: z.string().default(".data"),
  /** Rows in one run's results table; a node adding more fails, saying so. */
  SIGNALBOX_MAX_RESULT_ROWS: z.coerce.number().int().min(1).default(10_000),
  /** JSON bytes of one run's results table (8 MiB); a node adding more fails, saying so. */
  SIGNALBOX_MAX_RESULT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1)
    .default(8 * 1024 * 1024),
  SIGNALBOX_ALLOW_COMMANDS: z
    .enum(["0", "1", "true", "false", ""])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  SIGNALBOX_ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /**
   * Host names, IPs or CIDRs in private, loopback, link-local or metadata ranges that `http`
   * nodes may reach (public addresses always may). Default: none but this server's own
   * address and port (the demo endpoint).
   */
  SIGNALBOX_HTTP_ALLOWED_HOSTS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  /**
   * The console's base URL as people reach it (e.g. behind a proxy): webhook payloads link a
   * run as `<url>/runs/<id>`. Default: the server's own `http://HOST:PORT`.
   */
  SIGNALBOX_PUBLIC_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), "must be an http:// or https:// URL")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
  ),
  /**
   * Webhook deliveries: the delay before the first retry (ms); each further retry waits twice
   * as long (±20 % jitter), at most 1 h, for up to 24 h. Tests shorten it.
   */
  SIGNALBOX_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(1_000),
  /** Lease TTL for in-process node execution; a crashed worker's nodes retry after it. */
  SIGNALBOX_LEASE_MS: z.coerce.number().int().min(500).default(15_000),
  /** How many nodes one worker process executes at once. */
  SIGNALBOX_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  /**
   * Most nodes of one namespace a worker runs at once, so a namespace that floods the queue
   * leaves slots for the others. Default: three quarters of SIGNALBOX_WORKER_CONCURRENCY.
   */
  SIGNALBOX_NAMESPACE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  /** Unfinished (queued, running, paused) runs per namespace; submitRun over it → RATE_LIMITED. */
  SIGNALBOX_MAX_ACTIVE_RUNS: z.coerce.number().int().min(1).default(100),
  /** Map children (dynamic nodes) per run, all maps together; a map over it fails. */
  SIGNALBOX_MAX_DYNAMIC_NODES: z.coerce.number().int().min(1).default(10_000),
  /**
   * Server processes on this machine sharing PORT (node:cluster; `auto`: one per CPU). The
   * first process runs the embedded PostgreSQL for all of them (server-cluster.ts).
   */
  SIGNALBOX_WEB_CONCURRENCY: z
    .string()
    .default("1")
    .transform((v, ctx) => {
      const n = v.trim() === "auto" ? availableParallelism() : Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 256) {
        ctx.addIssue({ code: "custom", message: "expected a number of processes (1 to 256) or auto" });
        return z.NEVER;
      }
      return n;
    }),
  /** `0` disables the in-process worker of `npm start` (run `npm run worker` instead). */
  SIGNALBOX_IN_PROCESS_WORKER: z
    .enum(["0", "1"])
    .default("1")
    .transform((v) => v === "1"),
  /** `1` serves only the API, without Next's pages (API integration tests need no `next build`). */
  SIGNALBOX_NO_NEXT: z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1"),
  /**
   * GraphQL operations per token: `<per second>,<burst>` (token bucket), `0` for no limit.
   * Over it → RATE_LIMITED (HTTP 429).
   */
  SIGNALBOX_RATE_LIMIT: z
    .string()
    .default("50,200")
    .transform((v, ctx) => {
      const [rate, burst] = v.split(",").map((s) => Number(s.trim()));
      if (!Number.isFinite(rate) || rate < 0 || (burst !== undefined && !(burst >= 1))) {
        ctx.addIssue({ code: "custom", message: "expected <ops per second>[,<burst>], e.g. 50,200" });
        return z.NEVER;
      }
      return { perSecond: rate, burst: burst ?? Math.max(1, rate * 4) };
    }),
  /**
   * Failed authentications per minute from one client address (unknown tokens; stale cookies
   * do not count) before its further failures get RATE_LIMITED; valid credentials always
   * pass. Counted in PostgreSQL, across server processes (`0`: no limit).
   */
  SIGNALBOX_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(0).default(20),
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (comma-separated addresses or CIDRs,
   * or `loopback`, `linklocal`, `uniquelocal`); default none. The client address is the
   * rightmost address of X-Forwarded-For that is not a trusted proxy (lib/net/client-address.ts).
   */
  SIGNALBOX_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const list = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        proxyAddr.compile(list);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `expected addresses or CIDRs: ${(err as Error).message}` });
        return z.NEVER;
      }
      return list;
    }),
  /** Open WebSocket connections and SSE streams per token, across all server processes (`0`: no limit). */
  SIGNALBOX_MAX_CONNECTIONS_PER_TOKEN: z.coerce.number().int().min(0).default(64),
  /** Open WebSocket connections and SSE streams per client address, across all server processes (`0`: no limit). */
  SIGNALBOX_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(256),
  /** Live subscriptions per token (WebSocket operations and SSE streams), across all server processes (`0`: no limit). */
  SIGNALBOX_MAX_SUBSCRIPTIONS_PER_TOKEN: z.coerce.number().int().min(0).default(512),
  /**
   * How often a server process marks itself alive in PostgreSQL; the connections of a process
   * silent for 3 heartbeats (killed, frozen) stop counting toward the caps above.
   */
  SIGNALBOX_LIVE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  /** JSONata (transform, gate `show`, map `over`): time budget per evaluation; the thread is killed past it. */
  SIGNALBOX_EXPRESSION_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
  /** JSONata: heap of each evaluation thread (MiB); an expression over it fails its node. */
  SIGNALBOX_EXPRESSION_MEMORY_MB: z.coerce.number().int().min(16).max(4096).default(128),
  /** JSONata: longest sequence (array) an expression may build, ranges included. */
  SIGNALBOX_EXPRESSION_MAX_SEQUENCE: z.coerce.number().int().min(100).default(100_000),
  /** JSONata: evaluation threads per process (reused; more evaluations wait their turn). */
  SIGNALBOX_EXPRESSION_WORKERS: z.coerce.number().int().min(1).max(32).default(4),
  /** `http` nodes: largest response body read (bytes); a larger one fails the node. */
  SIGNALBOX_HTTP_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** `http` nodes: timeout when the node sets none (ms). */
  SIGNALBOX_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** `http` nodes: the most a node's `timeoutMs` may ask for (ms). */
  SIGNALBOX_HTTP_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  /**
   * Largest GraphQL response (JSON bytes; 16 MiB). A query whose result is larger gets a
   * BAD_INPUT error asking to page with `first` instead of the result.
   */
  SIGNALBOX_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1)
    .default(16 * 1024 * 1024),
  /**
   * Bearer token for /api/metrics besides any ADMIN token (e.g. for a Prometheus scraper
   * that should hold no API rights). At least 32 characters.
   */
  SIGNALBOX_METRICS_TOKEN: z.string().min(32).optional(),
  /** `1` serves /api/metrics without a token (only behind a network that keeps outsiders out). */
  SIGNALBOX_METRICS_PUBLIC: z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1"),
  /** `command` nodes: longest output line kept (bytes); the rest of a longer line is cut with a marker. */
  SIGNALBOX_COMMAND_MAX_LINE_BYTES: z.coerce.number().int().min(256).max(16_384).default(16_384),
  /** `command` nodes: output lines logged per second per node (burst: twice that); the rest are counted and reported. `0`: no cap. */
  SIGNALBOX_COMMAND_MAX_LINES_PER_SECOND: z.coerce.number().int().min(0).default(1_000),
  /**
   * `command` nodes run as this user and group id instead of the server's (needs a server
   * started as root): they then cannot read the server's data directory or environment.
   */
  SIGNALBOX_COMMAND_UID: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).optional()),
  SIGNALBOX_COMMAND_GID: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).optional()),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** The parsed environment. Throws a readable error listing every bad variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

import type { NodeExecutor } from "./types";

interface HttpConfig {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

function hostAllowed(url: URL, allowed: string[]): boolean {
  if (allowed.includes("*")) return true;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return allowed.some((a) => a === host || (a.startsWith("*.") && host.endsWith(a.slice(1))));
}

/** One HTTP request; output `{status, headers, body}` (JSON parsed when JSON); non-2xx fails. */
export const http: NodeExecutor = async (ctx) => {
  const cfg = ctx.spec.with as unknown as HttpConfig;
  const url = new URL(cfg.url);
  if (!hostAllowed(url, ctx.settings.httpAllowedHosts)) {
    throw new Error(`host ${url.hostname} is not in SIGNALBOX_HTTP_ALLOWED_HOSTS`);
  }
  const signal = cfg.timeoutMs ? AbortSignal.any([ctx.signal, AbortSignal.timeout(cfg.timeoutMs)]) : ctx.signal;
  const hasBody = cfg.body !== undefined && cfg.method !== "GET" && cfg.method !== "HEAD";
  const headers: Record<string, string> = { ...(cfg.headers ?? {}) };
  if (hasBody && typeof cfg.body !== "string") headers["content-type"] ??= "application/json";
  ctx.report.log("INFO", `${cfg.method ?? "GET"} ${url.href}`);
  const res = await fetch(url, {
    method: cfg.method ?? "GET",
    headers,
    body: hasBody ? (typeof cfg.body === "string" ? cfg.body : JSON.stringify(cfg.body)) : undefined,
    signal,
    redirect: "manual",
  });
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  let body: unknown = text;
  if (isJson && text) body = JSON.parse(text);
  ctx.report.log(res.ok ? "INFO" : "ERROR", `HTTP ${res.status} (${text.length} bytes)`);
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url.host}${url.pathname}`);
  return { type: "succeeded", output: { status: res.status, headers: Object.fromEntries(res.headers), body } };
};

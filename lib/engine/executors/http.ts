import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { env } from "../../env";
import { compilePolicy, redactUrl, resolveTarget, type TargetPolicy } from "./http-target";
import type { ExecSettings, NodeExecutor } from "./types";

interface HttpConfig {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

const policies = new WeakMap<ExecSettings, { key: string; policy: TargetPolicy }>();

/** The settings' allowlist, compiled once (the self address is filled in after listen). */
function policyOf(settings: ExecSettings): TargetPolicy {
  const key = JSON.stringify([settings.httpAllowedHosts, settings.selfAddress]);
  let cached = policies.get(settings);
  if (cached?.key !== key) {
    cached = { key, policy: compilePolicy(settings.httpAllowedHosts, settings.selfAddress) };
    policies.set(settings, cached);
  }
  return cached.policy;
}

/**
 * One HTTP request; output `{status, headers, body}` (JSON parsed when JSON); non-2xx fails.
 * The address is checked and pinned (http-target.ts), redirects are not followed, the body
 * is read up to a cap, and the request has a timeout even when the node sets none.
 */
export const http: NodeExecutor = async (ctx) => {
  const cfg = ctx.spec.with as unknown as HttpConfig;
  const e = env();
  const limits = {
    timeoutMs: e.SIGNALBOX_HTTP_TIMEOUT_MS,
    maxTimeoutMs: e.SIGNALBOX_HTTP_MAX_TIMEOUT_MS,
    maxBodyBytes: e.SIGNALBOX_HTTP_MAX_BODY_BYTES,
  };
  const url = new URL(cfg.url);
  const shown = redactUrl(url);
  const method = cfg.method ?? "GET";
  const timeoutMs = Math.min(cfg.timeoutMs ?? limits.timeoutMs, limits.maxTimeoutMs);
  const target = await resolveTarget(url, policyOf(ctx.settings));
  const hasBody = cfg.body !== undefined && method !== "GET" && method !== "HEAD";
  const headers: Record<string, string> = { ...(cfg.headers ?? {}) };
  if (hasBody && typeof cfg.body !== "string") headers["content-type"] ??= "application/json";
  ctx.report.log("INFO", `${method} ${shown}`);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const res = await send(url, {
    method,
    headers,
    body: hasBody ? (typeof cfg.body === "string" ? cfg.body : JSON.stringify(cfg.body)) : undefined,
    signal,
    lookup: target.lookup,
    maxBytes: limits.maxBodyBytes,
  }).catch((err: Error) => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (signal.aborted) throw new Error(`${method} ${shown}: no complete response within ${timeoutMs} ms`);
    throw new Error(`${method} ${shown}: ${err.message}`);
  });
  const isJson = String(res.headers["content-type"] ?? "").includes("json");
  let body: unknown = res.text;
  if (isJson && res.text) {
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new Error(`${method} ${shown}: the response says JSON but is not valid JSON`);
    }
  }
  const ok = res.status >= 200 && res.status < 300;
  ctx.report.log(ok ? "INFO" : "ERROR", `HTTP ${res.status} (${res.bytes} bytes)`);
  if (!ok) {
    const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "";
    throw new Error(`HTTP ${res.status} from ${url.host}${url.pathname}${redirect}`);
  }
  return { type: "succeeded", output: { status: res.status, headers: res.headers, body } };
};

interface SendOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  lookup: RequestOptions["lookup"];
  maxBytes: number;
}

interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  bytes: number;
}

/** node:http(s) to the pinned address, reading at most `maxBytes` of body (streamed, counted). */
function send(url: URL, o: SendOptions): Promise<Received> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: o.method, headers: o.headers, signal: o.signal, lookup: o.lookup, agent: false },
      (res) => {
        const tooBig = () => new Error(`response body is over ${o.maxBytes} bytes (SIGNALBOX_HTTP_MAX_BODY_BYTES)`);
        if (Number(res.headers["content-length"] ?? 0) > o.maxBytes) {
          req.destroy(tooBig());
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > o.maxBytes) req.destroy(tooBig());
          else chunks.push(chunk);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
            bytes,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

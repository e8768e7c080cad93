import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { PinnedTarget } from "../engine/executors/http-target";

/** What is kept of a receiver's response body (SPEC §11: ≤ 1 KiB). */
const MAX_RESPONSE_BODY_BYTES = 1024;

export interface PostOutcome {
  /** The response's status, or null when none came (refused, timed out, reset). */
  statusCode: number | null;
  durationMs: number;
  /** Why it was not a 2xx, in a few words; null when it was. */
  error: string | null;
  /** The first 1 KiB of the response body. */
  responseBody: string | null;
}

/**
 * POST `body` to the pinned address of `url` (TLS still verifies `url`'s host name). One
 * budget of `timeoutMs` covers connecting, the response headers and the body we keep;
 * redirects are not followed (a 3xx is a failure). Never throws: the outcome says how it went.
 */
export function postWebhook(
  url: URL,
  target: PinnedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(timeoutMs);
  const aborted = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<PostOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      resolve({ ...o, durationMs: elapsed() });
    };
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: target.lookup,
        agent: false,
        signal: aborted,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const text = chunks.length ? Buffer.concat(chunks).toString("utf8") : null;
          const ok = status >= 200 && status < 300;
          const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
          finish({ statusCode: status, error: ok ? null : `HTTP ${status}${redirect}`, responseBody: text });
        };
        res.on("data", (chunk: Buffer) => {
          if (kept < MAX_RESPONSE_BODY_BYTES) {
            const part = chunk.subarray(0, MAX_RESPONSE_BODY_BYTES - kept);
            chunks.push(part);
            kept += part.length;
          }
          // The rest is not ours to keep: stop reading once the cap is reached.
          if (kept >= MAX_RESPONSE_BODY_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on("end", done);
        res.on("error", () => done());
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => {
      // Node's messages name the address and the cause ("connect ECONNREFUSED 1.2.3.4:443"),
      // never the URL's path or query.
      if (timeout.aborted)
        finish({ statusCode: null, error: `no response within ${timeoutMs / 1000} s`, responseBody: null });
      else if (signal?.aborted) finish({ statusCode: null, error: "the server is shutting down", responseBody: null });
      else finish({ statusCode: null, error: err.message || err.code || "the request failed", responseBody: null });
    });
    req.end(body);
  });
}

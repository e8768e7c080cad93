import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { fromGraphQLErrors, SignalboxError } from "./errors.js";

/** Where a Signalbox server is and how to authenticate to it. */
export interface Connection {
  /** The server's base URL, e.g. `http://127.0.0.1:3000` (the API is `<url>/api/graphql`). */
  url: string;
  /** An API token (`sbx_…`). */
  token: string;
  /** The `fetch` to use (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
}

/** The GraphQL endpoint of a server URL (a URL that already names it is kept). */
export function endpoint(url: string): string {
  const base = url.replace(/\/+$/, "");
  return base.endsWith("/api/graphql") ? base : `${base}/api/graphql`;
}

export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/**
 * One GraphQL operation over HTTP (GraphQL-over-HTTP, POST). Answers with `data`, or throws
 * a `SignalboxError` typed by the first error's `extensions.code`; an unreachable server
 * is `CONNECTION`.
 */
export async function request<TResult, TVariables>(
  conn: Connection,
  document: Document<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let res: Response;
  try {
    res = await (conn.fetch ?? fetch)(endpoint(conn.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${conn.token}`,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new SignalboxError("CONNECTION", `cannot reach ${conn.url}: ${causeOf(err)}`);
  }
  let body: { data?: TResult | null; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new SignalboxError(
      res.status >= 500 ? "SERVICE_UNAVAILABLE" : "CONNECTION",
      `${conn.url} answered HTTP ${res.status} without a GraphQL response`,
      [],
      res.status,
    );
  }
  if (body.errors?.length) throw fromGraphQLErrors(body.errors, res.status);
  if (!body.data)
    throw new SignalboxError("INTERNAL_SERVER_ERROR", `empty answer (HTTP ${res.status})`, [], res.status);
  return body.data;
}

/** The innermost reason of a failed fetch (`ECONNREFUSED`, …), for a one-sentence message. */
export function causeOf(err: unknown): string {
  let e = err as { cause?: unknown; code?: string; message?: string } | undefined;
  while (e?.cause && typeof e.cause === "object") e = e.cause as typeof e;
  return e?.code ?? e?.message ?? String(err);
}

/**
 * `request`, tried again while the failure is transient (connection, overload, a restart)
 * with backoff, for up to `forMs`: a worker's report or completion should outlast a
 * server restart, not fail the job.
 */
export async function requestRetrying<TResult, TVariables>(
  conn: Connection,
  document: Document<TResult, TVariables>,
  variables: TVariables,
  forMs = 30_000,
): Promise<TResult> {
  const deadline = Date.now() + forMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(conn, document, variables);
    } catch (err) {
      if (!(err instanceof SignalboxError) || !err.retryable || Date.now() > deadline) throw err;
      const delay = Math.min(5_000, 200 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

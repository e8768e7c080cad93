import type { Plugin } from "graphql-yoga";

/**
 * Headers that let an event stream through buffering proxies, on both SSE endpoints
 * (yoga's SSE at /api/graphql and graphql-sse at /api/graphql/stream):
 * - `Cache-Control: no-cache, no-transform`: no cache may hold it, and `no-transform`
 *   keeps compressing gateways (and CDNs) from gzipping it, which buffers until a
 *   compression block fills;
 * - `X-Accel-Buffering: no`: nginx turns `proxy_buffering` off for this response.
 * Both servers already write an initial comment frame (`:`) and a keep-alive comment every
 * 12 s, so a client can tell "connected but quiet" from "held by a proxy" (the web app's
 * transport falls back to polling when no frame arrives; deploy/README-proxies.md).
 */
export function unbufferedStreamsPlugin(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.get("content-type")?.startsWith("text/event-stream")) return;
      response.headers.set("cache-control", "no-cache, no-transform");
      response.headers.set("x-accel-buffering", "no");
    },
  };
}

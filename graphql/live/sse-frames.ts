import type { ExecutionResult } from "graphql";
import { createHandler as createSseHandler } from "graphql-sse";
import type { HandlerOptions, RequestContext } from "graphql-sse/lib/use/fetch";
import { resultJson } from "./frames";

/**
 * graphql-sse's fetch glue (`graphql-sse/lib/use/fetch`, same behaviour), with each live
 * result serialized once for every subscriber, as over WebSocket (SPEC §9). graphql-sse
 * stringifies every `next` message itself; its `onNext` hook gets a stand-in that
 * serializes to a fixed marker frame, and the real JSON — cached per result object
 * (live/frames.ts) — waits in the request's FIFO until that frame is read from the
 * stream, in the same order. Results with errors take graphql-sse's own path.
 */
const STAND = Object.freeze({ __signalbox_serialized: 1 });
const STAND_FRAME = `event: next\ndata: ${JSON.stringify(STAND)}\n\n`;

const pending = new WeakMap<Request, string[]>();

/** graphql-sse `onNext` for distinct connections: the stand-in, its JSON queued on the request. */
export function serializedOnceSse(raw: Request, result: ExecutionResult): ExecutionResult | undefined {
  if (result.errors) return undefined;
  let queue = pending.get(raw);
  if (!queue) {
    queue = [];
    pending.set(raw, queue);
  }
  queue.push(resultJson(result));
  return STAND as unknown as ExecutionResult;
}

export function createSseFetchHandler(
  options: HandlerOptions<undefined>,
  reqCtx: Partial<RequestContext>,
): (req: Request) => Promise<Response> {
  const api = {
    Response: reqCtx.Response ?? Response,
    TextEncoder: reqCtx.TextEncoder ?? TextEncoder,
    ReadableStream: reqCtx.ReadableStream ?? ReadableStream,
  };
  const handler = createSseHandler(options);
  return async function handleRequest(req: Request): Promise<Response> {
    const [resp, init] = await handler({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: () => req.text(),
      raw: req,
      context: api,
    });
    if (!resp || typeof resp === "string") return new api.Response(resp as string | null, init);
    let cancelled = false;
    const enc = new api.TextEncoder();
    const frame = (value: string) => {
      if (value !== STAND_FRAME) return value;
      const json = pending.get(req)?.shift();
      return json === undefined ? value : `event: next\ndata: ${json}\n\n`;
    };
    const stream = new api.ReadableStream({
      async pull(controller) {
        const { done, value } = await resp.next();
        if (value != null) controller.enqueue(enc.encode(frame(value as string)));
        if (done) controller.close();
      },
      async cancel(e) {
        cancelled = true;
        await resp.return(e);
      },
    });
    if (req.signal.aborted) {
      void resp.return(undefined);
    } else {
      req.signal.addEventListener("abort", () => {
        if (!cancelled) void resp.return(undefined);
      });
    }
    return new api.Response(stream, init);
  };
}

import type { ExecutionResult } from "graphql";
import { WebSocket } from "ws";

/**
 * Serialize each live result once, not once per WebSocket subscriber (SPEC §9).
 *
 * graphql-ws stringifies every frame `{id, type: "next", payload}` itself. Its `onNext`
 * hook hands it a stand-in payload carrying the result's JSON (cached per result object,
 * and results are shared across subscribers by shared-execution.ts); the JSON replacer
 * turns the stand-in into a short marker; `FrameSocket.send` splices the cached JSON in.
 * Stringify → send is one synchronous call in graphql-ws, so a single pending slot is
 * enough. Anything unexpected falls back to graphql-ws' own serialization.
 */
const RAW = Symbol("serialized payload");
const MARK = "__signalbox_serialized_payload__";
const TAIL = `"payload":"${MARK}"}`;

const serialized = new WeakMap<object, string>();
let pending: string | null = null;

type Stand = { [RAW]: string };

/** graphql-ws `onNext`: the result as a stand-in holding its (cached) JSON. */
export function serializedOnce(result: ExecutionResult): Stand {
  let json = serialized.get(result);
  if (json === undefined) {
    // GraphQLError#toJSON gives exactly graphql-ws' own error format.
    json = JSON.stringify(result);
    serialized.set(result, json);
  }
  return { [RAW]: json };
}

/** graphql-ws `jsonMessageReplacer`. */
export function frameReplacer(key: string, value: unknown): unknown {
  if (key === "payload" && value && typeof value === "object" && RAW in value) {
    pending = (value as Stand)[RAW];
    return MARK;
  }
  return value;
}

/** The frame with the pending payload JSON in place of the marker. */
export function spliceFrame(data: string): string {
  if (pending === null || !data.endsWith(TAIL)) return data;
  const out = `${data.slice(0, data.length - MARK.length - 3)}${pending}}`;
  pending = null;
  return out;
}

/** The server-side socket class (ws `WebSocket` option) that completes spliced frames. */
export class FrameSocket extends WebSocket {
  // biome-ignore lint/suspicious/noExplicitAny: forwards ws' overloaded signature unchanged
  override send(data: any, ...rest: any[]): void {
    super.send(typeof data === "string" ? spliceFrame(data) : data, ...rest);
  }
}

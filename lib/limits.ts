import { DomainError } from "./errors";

/** Largest user-provided payload (node output, log line, result row, gate patch) in bytes. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Largest output of a `map` node (its children's outputs, in order): larger than one
 * payload since it gathers up to thousands of them, still bounded because NODE_STATE
 * carries it to every subscriber. Over it the map FAILS, saying so.
 */
export const MAX_MAP_OUTPUT_BYTES = 1024 * 1024;

/** The UTF-8 size of a value's JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
}

/**
 * Reject a payload over 64 KiB with a clear BAD_INPUT instead of bloating the event log
 * (every NODE_STATE carries the node's output, and every subscriber receives it).
 */
export function assertPayloadSize(value: unknown, what: string): void {
  const size = jsonBytes(value);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new DomainError("BAD_INPUT", `${what} is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES} (64 KiB)`, {
      size,
      limit: MAX_PAYLOAD_BYTES,
    });
  }
}

/**
 * Make control characters visible (`\u001b`) instead of letting them reach terminals and
 * log viewers raw. Tabs stay; newlines split lines before this is called.
 */
export function escapeControl(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

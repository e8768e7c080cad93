/** Canonical JSON and the pipeline checksum (SPEC §3). */
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level (arrays keep their order) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined) // as JSON.stringify drops them
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

/** SHA-256 hex of canonicalJson(spec): the pipeline version checksum (SPEC §3). */
export function specChecksum(spec: unknown): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}

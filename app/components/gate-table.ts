/** A gate's presented value as a table: an array of objects, columns from their keys in first-seen order. */
export function tableOf(value: unknown): { columns: string[]; rows: Record<string, unknown>[] } | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const isRow = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!value.every(isRow)) return null;
  const columns: string[] = [];
  for (const row of value) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  return columns.length > 0 ? { columns, rows: value } : null;
}

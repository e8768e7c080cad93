import { type Colors, cells } from "./format.js";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Right-aligned (numbers). */
  right?: boolean;
  /** A color for a cell, by its value. */
  style?: (value: string, c: Colors) => string;
}

/** An aligned table: a dim header, columns two spaces apart, the last one not padded. */
export function table<T>(rows: readonly T[], columns: Column<T>[], c: Colors): string {
  const cellsOf = rows.map((r) => columns.map((col) => col.value(r).replace(/[\r\n\t]+/g, " ")));
  const widths = columns.map((col, i) => Math.max(cells(col.header), ...cellsOf.map((r) => cells(r[i]))));
  const line = (values: string[], styleOf: (i: number, v: string) => string) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        const pad = " ".repeat(widths[i] - cells(v));
        const styled = styleOf(i, v);
        return columns[i].right ? pad + styled : last ? styled : styled + pad;
      })
      .join("  ")
      .trimEnd();
  return [
    line(
      columns.map((col) => col.header),
      (_, v) => c.dim(v),
    ),
    ...cellsOf.map((r) => line(r, (i, v) => columns[i].style?.(v, c) ?? v)),
  ].join("\n");
}

/** A run or node status in its color. */
export function statusStyle(value: string, c: Colors): string {
  switch (value) {
    case "RUNNING":
      return c.cyan(value);
    case "WAITING":
    case "PAUSED":
      return c.yellow(value);
    case "SUCCEEDED":
      return c.green(value);
    case "FAILED":
      return c.red(value);
    case "CANCELLED":
      return c.magenta(value);
    default:
      return c.dim(value);
  }
}

import { describe, expect, it } from "vitest";
import { tableOf } from "@/app/components/gate-table";

describe("gate values as a table", () => {
  it("an array of objects is a table with columns from the keys, first seen first", () => {
    expect(
      tableOf([
        { a: 1, b: "x" },
        { b: "y", c: true },
      ]),
    ).toEqual({
      columns: ["a", "b", "c"],
      rows: [
        { a: 1, b: "x" },
        { b: "y", c: true },
      ],
    });
  });

  it("anything else stays JSON", () => {
    for (const v of [null, 3, "text", [], [1, 2], [{ a: 1 }, null], [{ a: 1 }, [1]], [{}], { rows: [{ a: 1 }] }]) {
      expect(tableOf(v), JSON.stringify(v)).toBeNull();
    }
  });
});

import { describe, expect, it } from "vitest";
import { fitPadding, MINIMAP } from "@/app/components/run/graph/fit-padding";
import { NODE_MAX_W, nodeWidth } from "@/app/components/run/graph/graph-model";

describe("graph node width", () => {
  it("fits the whole label at default zoom, between the default and the cap", () => {
    expect(nodeWidth("a", "sleep")).toBe(184);
    const w = nodeWidth("candidates", "transform");
    expect(w).toBeGreaterThan(184); // "candida…" was cut at 184
    expect(w).toBeGreaterThanOrEqual(24 + 10 + 8 + 8 + 10 * 7.8 + 9 * 7);
    expect(nodeWidth("x".repeat(200), "external")).toBe(NODE_MAX_W);
  });
});

describe("fit padding", () => {
  const reservedRight = MINIMAP.width + MINIMAP.margin;
  const reservedBottom = MINIMAP.height + MINIMAP.margin;

  it("a wide graph keeps the minimap's height free at the bottom", () => {
    const p = fitPadding({ width: 2000, height: 200 }, { width: 900, height: 480 });
    expect(p.bottom).toBeGreaterThanOrEqual(reservedBottom);
    expect(p.right).toBeLessThan(reservedRight);
  });

  it("a tall graph keeps the minimap's width free on the right", () => {
    const p = fitPadding({ width: 300, height: 3000 }, { width: 900, height: 480 });
    expect(p.right).toBeGreaterThanOrEqual(reservedRight);
  });

  it("no reserve when the panel is too narrow to show a minimap", () => {
    const p = fitPadding({ width: 300, height: 300 }, { width: 390, height: 380 });
    expect(p.right).toBeLessThan(reservedRight);
    expect(p.bottom).toBeLessThan(reservedBottom);
  });
});

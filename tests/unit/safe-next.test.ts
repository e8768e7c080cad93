/**
 * safeNext (app/lib/session.ts): where /login sends the browser after logging in. Only
 * same-origin paths; anything a browser could read as another origin goes to `/`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeNext } from "../../app/lib/session";

describe("safeNext", () => {
  it.each([
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "//x",
    "\\x",
    "\\\\evil.example",
    "/\\x",
    "/\\/evil.example",
    "/x\\..\\..\\/evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " /runs",
    "",
    "runs",
    "?next=//evil",
    "#/evil",
    "/login",
    "/login?next=/login",
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it.each([
    ["/", "/"],
    ["/inbox", "/inbox"],
    ["/runs?status=RUNNING&sort=new", "/runs?status=RUNNING&sort=new"],
    ["/runs/abc#node-1", "/runs/abc#node-1"],
    ["/pipelines/a%2Fb", "/pipelines/a%2Fb"],
    ["/runs/../inbox", "/inbox"],
  ])("keeps %j", (next, want) => {
    expect(safeNext(next)).toBe(want);
  });

  it("null and undefined go to /", () => {
    expect(safeNext(null)).toBe("/");
    expect(safeNext(undefined)).toBe("/");
  });

  it("whatever it returns stays on this origin, as a browser resolves it", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/${s}`),
          fc.webUrl(),
        ),
        (next) => {
          const out = safeNext(next);
          expect(out.startsWith("/")).toBe(true);
          // The WHATWG URL parser is the one browsers use for a Location header.
          expect(new URL(out, "https://signalbox.example").origin).toBe("https://signalbox.example");
          expect(out.startsWith("//")).toBe(false);
          expect([...out].some((c) => c.charCodeAt(0) < 0x20 || c === "\\")).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { announcements } from "@/app/components/run/announce";

const state = (status: string, gates: string[] = [], durationMs: number | null = null) => ({
  status,
  durationMs,
  waitingGates: gates.map((key) => ({ key, title: key === "approve" ? "Ship it?" : null })),
});

describe("run page announcements", () => {
  it("says nothing on the first render or when nothing changed", () => {
    expect(announcements(null, state("SUCCEEDED"))).toEqual([]);
    expect(announcements(state("RUNNING", ["approve"]), state("RUNNING", ["approve"]))).toEqual([]);
  });

  it("announces a gate that starts waiting, with its title", () => {
    expect(announcements(state("RUNNING"), state("RUNNING", ["approve", "other"]))).toEqual([
      "Gate “Ship it?” (approve) is waiting for a decision.",
      "Gate other is waiting for a decision.",
    ]);
  });

  it("announces completion once, with the duration", () => {
    expect(announcements(state("RUNNING"), state("SUCCEEDED", [], 3500))).toEqual(["Run succeeded after 3.5s."]);
    expect(announcements(state("SUCCEEDED"), state("SUCCEEDED"))).toEqual([]);
    expect(announcements(state("RUNNING"), state("PAUSED"))).toEqual(["Run paused."]);
  });
});

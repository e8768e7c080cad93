import { describe, expect, it } from "vitest";
import { canonicalTimeZone, cronProblem, firesBetween, nextFires, parseCron } from "../../lib/schedules/cron";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("DST in Europe/Berlin, daily at 02:30", () => {
  const daily = parseCron("30 2 * * *", "Europe/Berlin");

  it("spring forward (28 March 2027, 02:00 → 03:00): runs once, at 03:00 CEST, the moment the clock jumps", () => {
    expect(iso(nextFires(daily, new Date("2027-03-26T12:00:00Z"), 4))).toEqual([
      "2027-03-27T01:30:00.000Z", // 02:30 CET (UTC+1)
      "2027-03-28T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST
      "2027-03-29T00:30:00.000Z", // 02:30 CEST (UTC+2)
      "2027-03-30T00:30:00.000Z",
    ]);
  });

  it("fall back (31 October 2027, 03:00 → 02:00): 02:30 happens twice and runs once, at the first", () => {
    expect(iso(nextFires(daily, new Date("2027-10-29T12:00:00Z"), 4))).toEqual([
      "2027-10-30T00:30:00.000Z", // 02:30 CEST
      "2027-10-31T00:30:00.000Z", // the first 02:30 (CEST); not again at 01:30Z (CET)
      "2027-11-01T01:30:00.000Z", // 02:30 CET
      "2027-11-02T01:30:00.000Z",
    ]);
  });

  it("an interval job skips the missing hour and runs at both repeated ones", () => {
    const every30 = parseCron("*/30 2 * * *", "Europe/Berlin");
    expect(iso(nextFires(every30, new Date("2027-03-27T12:00:00Z"), 2))).toEqual([
      "2027-03-29T00:00:00.000Z", // no 02:00–02:59 on the 28th
      "2027-03-29T00:30:00.000Z",
    ]);
    expect(iso(nextFires(every30, new Date("2027-10-30T23:00:00Z"), 5))).toEqual([
      "2027-10-31T00:00:00.000Z",
      "2027-10-31T00:30:00.000Z",
      "2027-10-31T01:00:00.000Z",
      "2027-10-31T01:30:00.000Z",
      "2027-11-01T01:00:00.000Z",
    ]);
  });
});

describe("six fields: seconds first", () => {
  const everyTwo = parseCron("*/2 * * * * *", "UTC");

  it("fires every other second", () => {
    expect(iso(nextFires(everyTwo, new Date("2027-01-01T00:00:00.500Z"), 3))).toEqual([
      "2027-01-01T00:00:02.000Z",
      "2027-01-01T00:00:04.000Z",
      "2027-01-01T00:00:06.000Z",
    ]);
  });

  it("a 5-field cron fires at second 0", () => {
    expect(iso(nextFires(parseCron("15 * * * *", "UTC"), new Date("2027-01-01T00:00:00Z"), 1))).toEqual([
      "2027-01-01T00:15:00.000Z",
    ]);
  });

  it("firesBetween: the window (after, until], and only the latest when there are more than the limit", () => {
    const after = new Date("2027-01-01T00:00:00Z");
    expect(firesBetween(everyTwo, after, new Date("2027-01-01T00:00:10Z"), 10)).toEqual({
      fires: [2, 4, 6, 8, 10].map((s) => new Date(`2027-01-01T00:00:${String(s).padStart(2, "0")}Z`)),
      truncated: false,
    });
    const latest = firesBetween(everyTwo, after, new Date("2027-01-01T00:00:11.500Z"), 2);
    expect(iso(latest.fires)).toEqual(["2027-01-01T00:00:08.000Z", "2027-01-01T00:00:10.000Z"]);
    expect(latest.truncated).toBe(true);
    expect(firesBetween(everyTwo, after, after, 10)).toEqual({ fires: [], truncated: false });
  });
});

describe("what is refused, and why", () => {
  it("invalid cron expressions", () => {
    expect(cronProblem("", "UTC")).toMatch(/give a cron expression/);
    expect(cronProblem("* * *", "UTC")).toBe(
      "3 fields: give 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)",
    );
    expect(cronProblem("0 0 1 1 * 2027 *", "UTC")).toMatch(/^7 fields: give 5/);
    expect(cronProblem("61 * * * *", "UTC")).toBe("Invalid value for minute: 61");
    expect(cronProblem("a b c d e", "UTC")).toMatch(/illegal characters/);
    expect(cronProblem("0 0 31 2 *", "UTC")).toBe("this expression never matches a date, so it would never fire");
  });

  it("valid ones, including nicknames", () => {
    for (const ok of ["0 3 * * *", "*/5 * * * * *", "0 9 * * MON-FRI", "@daily"])
      expect(cronProblem(ok, "UTC")).toBeNull();
  });

  it("time zones: IANA names, canonicalized; unknown ones are null", () => {
    expect(canonicalTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    expect(canonicalTimeZone("Mars/Olympus_Mons")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
    expect(canonicalTimeZone("+02:00 or so")).toBeNull();
  });
});

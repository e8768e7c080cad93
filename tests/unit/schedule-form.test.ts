import { describe, expect, it } from "vitest";
import { emptyValues, fieldErrorsOf, inputOf } from "../../app/components/schedules/schedule-form";

describe("the schedule form's input", () => {
  it("sends what was typed, with numbers and JSON parsed and empty meaning default", () => {
    const r = inputOf({ ...emptyValues("nightly", "Europe/Berlin"), name: " n ", version: "2", params: '{"a":1}' });
    expect(r).toEqual({
      input: {
        name: "n",
        pipeline: "nightly",
        version: 2,
        cron: "0 3 * * *",
        timezone: "Europe/Berlin",
        params: { a: 1 },
        budget: null,
        overlap: "SKIP",
        catchUp: 1,
        enabled: true,
      },
    });
  });

  it("refuses what cannot be sent at its field", () => {
    const r = inputOf({ ...emptyValues("p"), params: "{oops", budget: "lots", catchUp: "1.5" });
    expect("errors" in r && Object.keys(r.errors)).toEqual(["params", "budget", "catchUp"]);
  });
});

describe("the server's refusals, at their fields", () => {
  it("places every problem at its field, and keeps the rest for the form", () => {
    const error = {
      message: "[GraphQL] timezone: unknown…",
      graphQLErrors: [
        {
          message: "timezone: unknown time zone; cron: Invalid value for minute: 61",
          extensions: {
            code: "BAD_INPUT",
            field: "timezone",
            problems: [
              { path: "timezone", message: "unknown time zone" },
              { path: "cron", message: "Invalid value for minute: 61" },
            ],
          },
        },
      ],
    };
    expect(fieldErrorsOf(error)).toEqual({
      fields: { timezone: "unknown time zone", cron: "Invalid value for minute: 61" },
      other: null,
    });
  });

  it("uses extensions.field without problems, and says what has no field", () => {
    expect(
      fieldErrorsOf({
        message: "x",
        graphQLErrors: [{ message: "pipeline: no pipeline named ghost", extensions: { field: "pipeline" } }],
      }),
    ).toEqual({ fields: { pipeline: "no pipeline named ghost" }, other: null });
    expect(
      fieldErrorsOf({ message: "x", graphQLErrors: [{ message: "operator role required", extensions: {} }] }),
    ).toEqual({ fields: {}, other: "operator role required" });
    expect(fieldErrorsOf({ message: "[Network] Failed to fetch" })).toEqual({ fields: {}, other: "Failed to fetch" });
  });
});

import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { frameReplacer, serializedOnce, spliceFrame } from "../../graphql/live/frames";

/** What graphql-ws does for a `next` frame, with our hooks plugged in. */
const frame = (id: string, result: object) =>
  spliceFrame(JSON.stringify({ id, type: "next", payload: serializedOnce(result) }, frameReplacer as never));

describe("WebSocket frames serialized once per result", () => {
  it("produces exactly graphql-ws' frame, errors included", () => {
    const result = {
      data: { runEvents: { seq: 7, type: "LOG", message: 'quote " and \\ and \u2028' } },
      errors: [new GraphQLError("boom", { extensions: { code: "NOT_FOUND" } })],
    };
    const expected = JSON.stringify({
      id: "sub-1",
      type: "next",
      payload: { data: result.data, errors: result.errors.map((e) => e.toJSON()) },
    });
    expect(frame("sub-1", result)).toBe(expected);
    expect(JSON.parse(frame("sub-2", result))).toEqual({ ...JSON.parse(expected), id: "sub-2" });
  });

  it("stringifies a shared result once for any number of subscribers", () => {
    let serializations = 0;
    const result = {
      data: {
        toJSON() {
          serializations++;
          return { runEvents: { seq: 1 } };
        },
      },
    };
    for (let i = 0; i < 100; i++) expect(JSON.parse(frame(`s${i}`, result)).payload.data.runEvents.seq).toBe(1);
    expect(serializations).toBe(1);
  });

  it("leaves frames without a stand-in alone", () => {
    const plain = JSON.stringify({ id: "1", type: "complete" }, frameReplacer as never);
    expect(spliceFrame(plain)).toBe(plain);
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLIENT_TYPES_FILE,
  clientTypes,
  printedSchema,
  RESOLVER_TYPES_FILE,
  resolverTypes,
  SCHEMA_FILE,
  SDK_TYPES_FILE,
  sdkTypes,
} from "../../graphql/codegen";

const ROOT = path.resolve(import.meta.dirname, "../..");
const committed = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("generated GraphQL artifacts", () => {
  it("graphql/schema.graphql matches the SDL (run `npm run graphql:print`)", () => {
    expect(committed(SCHEMA_FILE)).toBe(printedSchema());
  });

  it("graphql/generated/resolvers.ts matches the SDL (run `npm run graphql:print`)", async () => {
    expect(committed(RESOLVER_TYPES_FILE)).toBe(await resolverTypes());
  });

  it("app/graphql/generated.ts matches the app's documents and the SDL (run `npm run graphql:print`)", async () => {
    // Also validates every document against the schema: codegen throws on an unknown field.
    expect(committed(CLIENT_TYPES_FILE)).toBe(await clientTypes(ROOT));
  });

  it("sdk/src/generated.ts matches the SDK's documents, the app's fragments and the SDL", async () => {
    expect(committed(SDK_TYPES_FILE)).toBe(await sdkTypes(ROOT));
  });

  it("keeps the normative SPEC §6–§7 names", () => {
    const sdl = printedSchema();
    for (const name of [
      // SPEC §7's arguments in their order; §11's trigger filter appended.
      "runs(namespace: String, status: [RunStatus!], pipeline: String, search: String, first: Int = 50, after: String, trigger: [RunTrigger!]): RunConnection!",
      "run(id: ID!): Run",
      "events(runId: ID!, afterSeq: Int = 0, first: Int = 500, types: [EventType!]): EventPage!",
      "gates(namespace: String): [Node!]!",
      "submitRun(input: SubmitRunInput!): Run!",
      "setBudget(id: ID!, budget: Float!): Run!",
      "humanDecision(input: HumanDecisionInput!): Node!",
      "promoteRun(runId: ID!, name: String!): Pipeline!",
      "runEvents(runId: ID!, afterSeq: Int = 0, types: [EventType!]): RunEvent!",
      "runsChanged(namespace: String): Run!",
      "interface RunEvent",
      "type NodeStateEvent implements RunEvent",
      "type RunCompletedEvent implements RunEvent",
      // SPEC §11 re-runs.
      "rerunRun(id: ID!, fromFailure: Boolean = false, params: JSON): Run!",
      "trigger: RunTrigger!",
      "rerunOf: Run",
    ]) {
      expect(sdl).toContain(name);
    }
  });
});

import { assertNever } from "../../errors";
import type { NodeKind } from "../../spec/types";
import { evaluate } from "../expression";
import { command } from "./command";
import { http } from "./http";
import { sleep } from "./sleep";
import { transform } from "./transform";
import type { NodeExecutor } from "./types";

/** A gate evaluates what it shows, then waits for a human. */
const gate: NodeExecutor = async (ctx) => {
  const show = ctx.spec.with.show as string | undefined;
  const presentation = show ? await evaluate(show, { inputs: ctx.inputs, params: ctx.params }, ctx.signal) : ctx.inputs;
  return { type: "waiting", presentation };
};

/** A map evaluates `over` to an array; the engine adds one child per item. */
const map: NodeExecutor = async (ctx) => {
  const items = await evaluate(String(ctx.spec.with.over), { inputs: ctx.inputs, params: ctx.params }, ctx.signal);
  if (!Array.isArray(items)) {
    if (items === null) return { type: "expand", items: [] };
    return { type: "expand", items: [items] };
  }
  return { type: "expand", items };
};

/** One executor per kind, behind one interface. `external` nodes run in outside workers. */
export function executorFor(kind: NodeKind): NodeExecutor {
  switch (kind) {
    case "sleep":
      return sleep;
    case "http":
      return http;
    case "transform":
      return transform;
    case "command":
      return command;
    case "gate":
      return gate;
    case "map":
      return map;
    case "external":
      throw new Error("external nodes are claimed by external workers");
    default:
      return assertNever(kind);
  }
}

import { evaluate } from "../expression";
import type { NodeExecutor } from "./types";

/** JSONata over `{inputs, params, item, index}`; the result is the output. */
export const transform: NodeExecutor = async (ctx) => {
  const output = await evaluate(
    String(ctx.spec.with.expression),
    {
      inputs: ctx.inputs,
      params: ctx.params,
      item: ctx.item,
      index: ctx.index,
    },
    ctx.signal,
  );
  return { type: "succeeded", output };
};

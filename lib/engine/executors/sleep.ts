import { delay, type NodeExecutor } from "./types";

/** Wait `ms`, reporting progress about ten times; aborts immediately on cancel. */
export const sleep: NodeExecutor = async (ctx) => {
  const ms = Number(ctx.spec.with.ms ?? 0);
  const steps = ms >= 500 ? 10 : 1;
  for (let i = 1; i <= steps; i++) {
    await delay(ms / steps, ctx.signal);
    if (i < steps) ctx.report.progress(i / steps);
  }
  return { type: "succeeded", output: { sleptMs: ms, ...(ctx.item !== undefined ? { item: ctx.item } : {}) } };
};

// JSONata evaluation off the event loop (loaded by lib/engine/expression.ts as a worker thread).
// Plain JavaScript on purpose: a worker file is loaded by Node itself, so it must run the same
// under tsx (server.ts), plain node, vitest and any bundler without a TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import jsonata from "jsonata";

/** @type {{ timeoutMs: number, maxDepth: number, maxSequence: number, maxResultBytes: number }} */
const limits = workerData;
/** Compiled expressions, keyed by text; cleared when it grows past 1000 (specs repeat a few). */
const cache = new Map();

// jsonata's own guardrails (checked on every evaluation step) end a runaway expression
// cleanly; the parent terminates this thread when a single step (a regex, a native sort)
// outlasts them.
const options = { timeout: limits.timeoutMs, stack: limits.maxDepth, sequence: limits.maxSequence };

function compile(expression) {
  let compiled = cache.get(expression);
  if (!compiled) {
    compiled = jsonata(expression, options);
    if (cache.size >= 1000) cache.clear();
    cache.set(expression, compiled);
  }
  return compiled;
}

/** A budget overrun in words a pipeline author can act on; other errors keep jsonata's message. */
function explain(err) {
  const code = err && typeof err === "object" ? err.code : undefined;
  switch (code) {
    case "D1012":
      return `expression ran longer than its time budget (${limits.timeoutMs} ms)`;
    case "D1011":
      return `expression nested deeper than its depth budget (${limits.maxDepth})`;
    case "D2014":
    case "D2015":
      return `expression built a sequence longer than its budget (${limits.maxSequence} items)`;
  }
  const message = err && typeof err === "object" && typeof err.message === "string" ? err.message : String(err);
  const position = err && typeof err === "object" && typeof err.position === "number" ? ` (at ${err.position})` : "";
  return `${message}${position}`;
}

parentPort.on("message", async ({ id, expression, data }) => {
  try {
    const result = await compile(expression).evaluate(data);
    // Plain JSON out: jsonata's sequences carry hidden flags, `undefined` means "no match".
    const json = result === undefined ? "null" : (JSON.stringify(result) ?? "null");
    const bytes = Buffer.byteLength(json, "utf8");
    if (bytes > limits.maxResultBytes) {
      parentPort.postMessage({
        id,
        ok: false,
        message: `expression result is ${bytes} bytes; the limit is ${limits.maxResultBytes}`,
      });
      return;
    }
    parentPort.postMessage({ id, ok: true, json });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: explain(err) });
  }
});

// Tell the pool this thread has booted: its time budget counts from here, not from the
// thread's start (loading jsonata can take a while on a busy machine).
parentPort.postMessage({ ready: true });

#!/usr/bin/env node
/** The `signalbox` bin: run the CLI, flush stdout, exit with the command's status. */
import { runCli } from "./program.js";

// A reader that went away (`signalbox watch … --json | head`): stop quietly, as on SIGPIPE.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(141);
  throw err;
});

const code = await runCli(process.argv);
// Let piped output drain before exiting (a pipe may be asynchronous on some platforms).
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
process.exit(code);

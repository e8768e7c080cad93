/**
 * The SDK as an integrator gets it: `npm pack` in sdk/, installed from the tarball into a
 * fresh Node project (its dependencies from the registry), imported as ESM, type-checked
 * against its shipped `.d.ts`, and run against the real server: a worker completes an
 * external node while `watchRun` follows the run to RUN_COMPLETED.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { serveForTests, type TestServer } from "./graphql-harness";

const ROOT = path.resolve(import.meta.dirname, "../..");
let h: TestServer;
serveForTests({}, (server) => {
  h = server;
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-sdk-pack-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const program = `
import { SignalboxClient, createWorker } from "@signalbox/sdk";
const [url, token, queue] = process.argv.slice(2);
const sbx = new SignalboxClient({ url, token });
const worker = createWorker({ url, token, queue, handler: async (job) => {
  job.log("packed worker here");
  job.metric("score", 0.9);
  return { doubled: job.input.n * 2 };
} });
await worker.start();
const run = await sbx.submitRun({ spec: { name: "packed", nodes: [
  { id: "ext", kind: "external", with: { queue, input: { n: 21 } } },
  { id: "after", kind: "transform", needs: ["ext"], with: { expression: "inputs.ext.doubled + 1" } },
] } });
const seqs = [];
for await (const ev of sbx.watchRun(run.id)) seqs.push(ev.seq);
await worker.stop();
const done = await sbx.getRun(run.id);
console.log(JSON.stringify({ status: done.status, seqs, lastSeq: done.lastSeq, outputs: done.nodes.map((n) => n.output) }));
`;

const typed = `
import { SignalboxClient, SignalboxError, type RunEvent, type Job } from "@signalbox/sdk";
const sbx = new SignalboxClient({ url: "http://127.0.0.1:1", token: "t" });
async function f(): Promise<number> {
  for await (const ev of sbx.watchRun("r")) {
    const e: RunEvent = ev;
    if (e.__typename === "LogEvent") return e.message.length;
  }
  return 0;
}
const handler = (job: Job): string => job.nodeKey;
const isErr = (e: unknown) => e instanceof SignalboxError && e.code === "LEASE_LOST";
export { f, handler, isErr };
`;

it("npm pack → install in a fresh project → typed ESM import works against the real server", {
  timeout: 240_000,
}, () => {
  const packed = execFileSync("npm", ["pack", "--pack-destination", dir], {
    cwd: path.join(ROOT, "sdk"),
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .at(-1)!;
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", path.join(dir, packed), "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: app,
    encoding: "utf8",
    stdio: "pipe",
  });
  // The package brings its own small dependency set: never next, prisma or react.
  const installed = fs.readdirSync(path.join(app, "node_modules"));
  for (const banned of ["next", "react", "prisma", "@prisma"]) expect(installed).not.toContain(banned);
  expect(fs.existsSync(path.join(app, "node_modules/@signalbox/sdk/dist/index.d.ts"))).toBe(true);

  fs.writeFileSync(path.join(app, "main.mjs"), program);
  const out = execFileSync(process.execPath, ["main.mjs", h.server.url, h.t.operator, `packed-${Date.now()}`], {
    cwd: app,
    encoding: "utf8",
    timeout: 60_000,
  });
  const result = JSON.parse(out.trim().split("\n").at(-1)!);
  expect(result.status).toBe("SUCCEEDED");
  expect(result.seqs).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
  expect(result.outputs).toEqual(expect.arrayContaining([{ doubled: 42 }, 43]));

  // Types: the shipped .d.ts check a consumer's code (TypeScript from this checkout).
  fs.writeFileSync(path.join(app, "check.ts"), typed);
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/typescript/bin/tsc"),
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--types",
      "node",
      "--typeRoots",
      path.join(ROOT, "node_modules/@types"),
      "check.ts",
    ],
    { cwd: app, encoding: "utf8", stdio: "pipe" },
  );
});

/**
 * `npm run bench`: every `bench:*` script of package.json, one after another (or those
 * named in BENCH_ONLY, comma-separated: `BENCH_ONLY=latency,idle`), each bench's output
 * passed through as it comes; then one summary table of SPEC §9's bars.
 *
 * Generic: a bench is any `bench:<name>` script that prints JSON on stdout — its report
 * (bench/support.ts `report`), or `BENCH {…}` lines (bench/browser.spec.ts). Rows come
 * from each report's `bars` (bench/support.ts `Bar`: bar, Signalbox, baseline, ratio,
 * target, pass); a report without them gives a row per part that has a `pass` of its own,
 * else one row. A bench that fails to run is a failing row. BENCH_SUMMARY_JSON=<file>
 * also writes every report and the rows there. Exit status 0 even when bars fail: the
 * table is the answer.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Bar } from "./support";

const ROOT = path.resolve(import.meta.dirname, "..");

function benchScripts(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const all = Object.keys(pkg.scripts)
    .filter((s) => s.startsWith("bench:"))
    .map((s) => s.slice("bench:".length));
  const only = process.env.BENCH_ONLY?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return only ? all.filter((s) => only.includes(s)) : all;
}

/** Run `npm run -s bench:<name>`; stdout is echoed and kept, stderr passed through. */
function runScript(name: string): Promise<{ code: number; stdout: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", `bench:${name}`], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      process.stdout.write(d);
    });
    child.on("close", (code) =>
      resolve({ code: code ?? 1, stdout, seconds: Math.round((performance.now() - t0) / 100) / 10 }),
    );
  });
}

/** Every JSON report in a bench's output: `BENCH {…}` lines, or blocks opening with a `{` line. */
function reportsIn(stdout: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("BENCH {")) {
      try {
        found.push(JSON.parse(line.slice("BENCH ".length)));
      } catch {
        // not a report
      }
    } else if (line === "{") {
      const end = lines.indexOf("}", i);
      if (end === -1) break;
      try {
        found.push(JSON.parse(lines.slice(i, end + 1).join("\n")));
        i = end;
      } catch {
        // not a report
      }
    }
  }
  return found;
}

const text = (v: unknown) => (v === undefined || v === null ? "—" : String(v));

/** A report's rows: its `bars`, else one per part with a `pass`, else one. */
function barsOf(name: string, r: Record<string, unknown>): Bar[] {
  if (Array.isArray(r.bars)) return r.bars as Bar[];
  const label = text(r.bench ?? r.name ?? name);
  const parts = Object.entries(r).filter(
    ([, v]) => v && typeof v === "object" && typeof (v as { pass?: unknown }).pass === "boolean",
  );
  const row = (bar: string, v: Record<string, unknown>): Bar => ({
    bar,
    signalbox: "see report",
    baseline: null,
    ratio: typeof v.ratio === "number" ? v.ratio : null,
    target: text(v.target ?? r.target),
    pass: v.pass === true,
  });
  if (parts.length) return parts.map(([k, v]) => row(`${label}: ${k}`, v as Record<string, unknown>));
  return [row(label, r)];
}

function table(rows: (Bar & { bench: string })[]): string {
  const head = ["bench", "bar", "Signalbox", "baseline", "ratio", "target", "pass"];
  const cells = rows.map((r) => [
    r.bench,
    r.bar,
    text(r.signalbox),
    text(r.baseline),
    text(r.ratio),
    r.target,
    r.pass ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  return [fmt(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(fmt)].join("\n");
}

async function main() {
  const reports: { bench: string; code: number; seconds: number; reports: Record<string, unknown>[] }[] = [];
  const rows: (Bar & { bench: string })[] = [];
  for (const name of benchScripts()) {
    console.error(`\n=== bench:${name} ===`);
    const { code, stdout, seconds } = await runScript(name);
    const found = reportsIn(stdout);
    reports.push({ bench: name, code, seconds, reports: found });
    if (found.length === 0 || code !== 0) {
      rows.push({
        bench: name,
        bar: code !== 0 ? `exited with ${code}` : "no JSON report",
        signalbox: "—",
        baseline: null,
        ratio: null,
        target: "runs",
        pass: false,
      });
    }
    for (const r of found) for (const b of barsOf(name, r)) rows.push({ bench: name, ...b });
  }
  const load = os.loadavg().map((x) => x.toFixed(2));
  const passed = rows.filter((r) => r.pass).length;
  console.log(
    `\nSPEC §9 summary, ${new Date().toISOString()}, ${os.cpus().length} cores, load ${load.join(" ")}: ${passed}/${rows.length} pass\n`,
  );
  console.log(table(rows));
  if (process.env.BENCH_SUMMARY_JSON) {
    fs.writeFileSync(process.env.BENCH_SUMMARY_JSON, JSON.stringify({ at: new Date(), load, rows, reports }, null, 2));
  }
}

void main();

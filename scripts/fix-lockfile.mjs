/**
 * `npm run lock:fix`: add lockfile entries for optional platform packages (other OSes and
 * CPUs of @next/swc, esbuild, biome, tailwind oxide…) that this machine's registry mirror
 * does not serve. Without them `npm ci` refuses the lockfile ("Missing: … from lock file");
 * with them it skips those packages as not for this platform. Run after changing dependencies.
 */
import fs from "node:fs";

const lockPath = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
const pkgs = lock.packages;
function platformOf(name) {
  const n = name.split("/").pop();
  const os = [
    "android",
    "darwin",
    "win32",
    "freebsd",
    "linux",
    "openbsd",
    "netbsd",
    "sunos",
    "aix",
    "openharmony",
  ].find((o) => n.includes(o));
  const cpu = ["arm64", "x64", "arm", "ia32", "wasm32", "riscv64", "ppc64", "s390x", "loong64", "mips64el"].find((c) =>
    new RegExp(`(^|-)${c}($|-)`).test(n.replace("gnueabihf", "")),
  );
  const libc = n.includes("musl") ? "musl" : n.includes("gnu") ? "glibc" : undefined;
  return { os, cpu, libc };
}
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/` : "node_modules/";
    const top = `node_modules/${dep}`;
    if (pkgs[`${base}${dep}`] || pkgs[top]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue;
    const entry = { version: range.replace(/^[\^~=]/, ""), optional: true };
    if (meta.dev) entry.dev = true;
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    if (libc) entry.libc = [libc];
    pkgs[top] = entry;
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries`);

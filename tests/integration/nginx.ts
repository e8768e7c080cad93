/**
 * Real nginx (the Debian package) in front of test servers, unprivileged-friendly: its own
 * prefix, pid, logs and temp dirs in a temp dir, on a free port. The site config is
 * `deploy/nginx.conf` as shipped, with only its upstream servers and listen address
 * replaced (between its `signalbox-*` markers), so the tested config is the shipped one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SHIPPED = path.join(ROOT, "deploy/nginx.conf");

export interface Nginx {
  url: string;
  wsUrl: string;
  api: string;
  /** Fast shutdown (SIGTERM), then the temp dir goes. */
  stop(): Promise<void>;
  /** nginx's error log so far (upstream failures show here). */
  errorLog(): string;
  /** Whether nginx has had a 200 from the server on `port` since `since` (its access log). */
  served(port: number, since: number): boolean;
}

function nginxBinary(): string {
  const found = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
  if (!found) throw new Error("nginx is not installed: apt-get install -y nginx (.ci/run installs it when missing)");
  return found;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `deploy/nginx.conf` with `upstreams` (ports on 127.0.0.1) and `listen` put in. */
function siteConfig(upstreams: number[], listenPort: number): string {
  const shipped = fs.readFileSync(SHIPPED, "utf8");
  const block = /(# signalbox-upstream-begin\n)([\s\S]*?)(\n\s*# signalbox-upstream-end)/.exec(shipped);
  const options = block && /server\s+\S+\s+([^;]*);/.exec(block[2]);
  if (!block || !options) throw new Error("deploy/nginx.conf lost its signalbox-upstream markers");
  const indent = /^\s*/.exec(block[2])?.[0] ?? "    ";
  const servers = upstreams.map((p) => `${indent}server 127.0.0.1:${p} ${options[1]};`).join("\n");
  const withUpstreams = shipped.replace(block[0], `${block[1]}${servers}${block[3]}`);
  const listen = /(# signalbox-listen\n\s*)listen [^;]+;/;
  if (!listen.test(withUpstreams)) throw new Error("deploy/nginx.conf lost its signalbox-listen marker");
  return withUpstreams.replace(listen, `$1listen 127.0.0.1:${listenPort};`);
}

/** Start nginx in the foreground before servers on `upstreams`; resolves once it accepts. */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
  const bin = nginxBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbx-nginx-"));
  fs.chmodSync(dir, 0o755);
  for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"])
    fs.mkdirSync(path.join(dir, "tmp", t), { recursive: true });
  const port = await freePort();
  fs.writeFileSync(path.join(dir, "signalbox.conf"), siteConfig(upstreams, port));
  const temp = (t: string) => `${t}_temp_path ${path.join(dir, "tmp", t === "client_body" ? "body" : t)};`;
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      "worker_rlimit_nofile 8192;",
      // As root, workers would switch to `nobody`, who cannot write this temp dir.
      process.getuid?.() === 0 ? "user root;" : "",
      `pid ${path.join(dir, "nginx.pid")};`,
      `error_log ${path.join(dir, "error.log")} warn;`,
      "events { worker_connections 4096; }",
      "http {",
      // Which server answered each request (the test checks a restarted one is back in rotation).
      "  log_format upstreams '$msec $upstream_addr $upstream_status';",
      `  access_log ${path.join(dir, "access.log")} upstreams;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${temp(t)}`),
      `  include ${path.join(dir, "signalbox.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(
    bin,
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const errorLog = () => {
    try {
      return fs.readFileSync(path.join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${out}\n${errorLog()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start listening: ${out}\n${errorLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    api: `${url}/api/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/api/graphql`,
    errorLog,
    served: (upstream, since) => {
      const log = fs.existsSync(path.join(dir, "access.log"))
        ? fs.readFileSync(path.join(dir, "access.log"), "utf8")
        : "";
      return log.split("\n").some((line) => {
        const [msec, addr, status] = line.split(" ");
        return Number(msec) * 1000 >= since && addr?.endsWith(`:${upstream}`) && status === "200";
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

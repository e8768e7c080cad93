import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The host webhook e2e receivers listen on: a loopback address of its own, which
 * playwright.config.ts puts in the server's SIGNALBOX_HTTP_ALLOWED_HOSTS (nothing else is
 * allowlisted by it).
 */
const RECEIVER_HOST = "127.0.0.9";

export interface Receiver {
  url: string;
  got: { path: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** A webhook receiver for the browser tests: 200 unless the path says `/fail` (500). */
export async function startReceiver(): Promise<Receiver> {
  const got: Receiver["got"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      got.push({ path: req.url ?? "/", headers: req.headers, body });
      const failing = req.url?.startsWith("/fail");
      res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" }).end(failing ? "database locked" : "ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, RECEIVER_HOST, r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${RECEIVER_HOST}:${port}`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

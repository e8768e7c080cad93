/**
 * A real HTTP proxy in front of a test server: it forwards requests and WebSocket
 * upgrades, can refuse upgrades (a proxy that forbids WebSocket), can buffer
 * `text/event-stream` responses whole (a corporate gateway or an nginx with default
 * buffering: nothing reaches the client until the stream ends), and can cut every open
 * connection at once (a network outage).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";

export interface TestProxy {
  url: string;
  /** Refuse WebSocket upgrades with 403 (true) or tunnel them (false). */
  refuseUpgrades: boolean;
  upgradesSeen: number;
  /**
   * Hold event-stream responses, status line and headers included, until the server ends
   * them (true), or stream them (false). Turning it off releases what is held and streams
   * the rest.
   */
  bufferEventStreams: boolean;
  /** Event-stream responses the proxy answered, buffered or not. */
  eventStreamsSeen: number;
  /** Destroy every open connection (both sides). */
  cut(): void;
  close(): Promise<void>;
}

export async function startProxy(
  target: string,
  opts: { refuseUpgrades?: boolean; bufferEventStreams?: boolean } = {},
): Promise<TestProxy> {
  const to = new URL(target);
  let buffering = opts.bufferEventStreams ?? false;
  /** Buffered responses: released when buffering stops. */
  const held = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    if (sockets.has(s)) return; // a kept-alive upstream socket serves many requests
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const stream = String(answer.headers["content-type"] ?? "").startsWith("text/event-stream");
        if (stream) proxy.eventStreamsSeen++;
        if (!stream || !buffering) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        const release = () => {
          if (!held.delete(release)) return;
          answer.off("data", keep);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          for (const c of chunks) res.write(c);
          if (answer.complete) res.end();
          else answer.pipe(res);
        };
        const keep = (c: Buffer) => chunks.push(c);
        held.add(release);
        answer.on("data", keep);
        answer.once("end", release);
        res.once("close", () => {
          // The client gave up on a held stream: so does the proxy (the server ends it).
          if (held.delete(release)) up.destroy();
        });
      },
    );
    up.on("socket", track);
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.on("connection", track);
  const proxy: TestProxy = {
    url: "",
    refuseUpgrades: opts.refuseUpgrades ?? false,
    upgradesSeen: 0,
    eventStreamsSeen: 0,
    get bufferEventStreams() {
      return buffering;
    },
    set bufferEventStreams(on: boolean) {
      buffering = on;
      if (!on) for (const release of [...held]) release();
    },
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        proxy.cut();
        server.close(() => resolve());
      }),
  };
  server.on("upgrade", (req, socket, head) => {
    proxy.upgradesSeen++;
    if (proxy.refuseUpgrades) {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const up = net.connect(Number(to.port), to.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    track(up);
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

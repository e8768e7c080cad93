/**
 * The failed-authentication limiter on the Next side of the real app: `/api/session` (login)
 * and the session cookie on pages count failures against the client address like the API
 * does (the same PostgreSQL windows), a valid token always logs in, and a stale cookie (of a
 * logged-out session) is not counted. Requests come from their own loopback source
 * addresses (127.0.44.x), so other specs' logins are never affected.
 */
import http from "node:http";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN_TOKEN } from "../playwright.config";

const PORT = Number(process.env.E2E_PORT ?? 3111);

function send(
  path: string,
  opts: { method?: string; body?: unknown; cookie?: string; from: string },
): Promise<{ status: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: PORT,
        path,
        method: opts.method ?? "GET",
        localAddress: opts.from,
        agent: false,
        headers: {
          ...(opts.body ? { "content-type": "application/json" } : {}),
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers["set-cookie"] ?? [] }));
      },
    );
    req.on("error", reject);
    req.end(opts.body ? JSON.stringify(opts.body) : undefined);
  });
}

const login = (token: string, from: string) => send("/api/session", { method: "POST", body: { token }, from });
const guess = () => `sbx_guess_${Math.random().toString(36).slice(2)}${Date.now()}`;

test.describe("failed-login limiting on /api/session and pages", () => {
  test("25 bad logins from an address: the 21st on get 429 RATE_LIMITED; the valid token still logs in from there", async () => {
    const from = "127.0.44.10";
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await login(guess(), from)).status);
    expect(statuses).toEqual([...Array(20).fill(401), ...Array(5).fill(429)]);
    const limited = await login(guess(), from);
    expect(JSON.parse(limited.body)).toMatchObject({ code: "RATE_LIMITED" });
    const ok = await login(E2E_ADMIN_TOKEN, from);
    expect(ok.status).toBe(200);
    expect(ok.setCookie.join(";")).toContain("signalbox_session=");
    // Another address is unaffected.
    expect((await login(guess(), "127.0.44.11")).status).toBe(401);
  });

  test("an unknown session cookie on pages counts as a failure; a stale one (logged out) does not", async () => {
    // 20 page loads with a made-up cookie: each is a failure of that address …
    const guesser = "127.0.44.12";
    for (let i = 0; i < 20; i++) {
      const page = await send("/", { cookie: `signalbox_session=${guess()}`, from: guesser });
      expect([200, 307]).toContain(page.status); // to /login
    }
    // … so the next failed login from there is over the limit.
    expect((await login(guess(), guesser)).status).toBe(429);

    // A session that was logged out: its cookie 50 times is not an attack.
    const owner = "127.0.44.13";
    const ok = await login(E2E_ADMIN_TOKEN, owner);
    const cookie = ok.setCookie.map((c) => c.split(";")[0]).find((c) => c.startsWith("signalbox_session="));
    expect(cookie).toBeTruthy();
    expect((await send("/api/session/logout", { method: "POST", cookie, from: owner })).status).toBe(303);
    for (let i = 0; i < 50; i++) {
      const page = await send("/", { cookie, from: owner });
      expect([200, 307]).toContain(page.status);
    }
    expect((await login(guess(), owner)).status).toBe(401);
  });
});

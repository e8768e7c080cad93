import http from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { login, submitSpec, twoSleeps } from "./shell-fixtures";

/**
 * Security headers on every HTML response (issue 8 §2) against the production build:
 * a per-request nonce CSP without 'unsafe-eval', no framing, nosniff, a referrer policy;
 * the pages still work with it — no CSP violation in the browser on any of them — and
 * GraphiQL runs under its own policy. Plus the body cap on a Next route (/api/session).
 */

/** Collect CSP violations (the DOM event and the console's report) from now on. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) fromConsole.push(msg.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return async () => [
    ...fromConsole,
    ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])),
  ];
}

function expectPageHeaders(headers: Record<string, string>, what: string) {
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"], what).toBe("DENY");
  // Plain http here (and no trusted proxy said https): no HSTS.
  expect(headers["strict-transport-security"], what).toBeUndefined();
}

test("login and error pages carry the headers; each response has its own nonce, on every script", async ({
  page,
  request,
}) => {
  const a = await request.get("/login");
  const b = await request.get("/login");
  expectPageHeaders(a.headers(), "/login");
  const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];
  const nonce = nonceOf(a.headers()["content-security-policy"]);
  expect(nonce).toBeTruthy();
  expect(nonceOf(b.headers()["content-security-policy"])).not.toBe(nonce);
  // Every script of the page carries this response's nonce (Next's own and the theme script).
  const html = await a.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(1);
  for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);

  // Without a session a page redirects, with the headers too.
  const redirect = await request.get("/runs", { maxRedirects: 0 });
  expect(redirect.status()).toBe(307);
  expect(redirect.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

  // A page that does not exist, logged in (the not-found page renders in the shell).
  const violations = await watchCsp(page);
  await login(page);
  const missing = await page.goto("/no-such-page-here");
  expect(missing?.status()).toBe(404);
  expectPageHeaders(await missing!.allHeaders(), "404 page");
  expect(await violations()).toEqual([]);
});

test("the app's pages run under the CSP with no violation", async ({ page, request }) => {
  test.setTimeout(180_000);
  const runId = await submitSpec(request, twoSleeps("csp-check", 300), "csp");
  const violations = await watchCsp(page);
  await login(page);
  for (const path of ["/login", "/", `/runs/${runId}`, "/pipelines", "/inbox", "/tokens", "/runs/new"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    expectPageHeaders(await res!.allHeaders(), path);
    // Hydrated (the nav's client code answers) and a moment for any late-loading script.
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    await page.waitForTimeout(500);
  }
  // The run console laid its graph out (ELK in a worker: worker-src) and drew it (React
  // Flow, inline styles), and went live (scripts ran).
  await page.goto(`/runs/${runId}`);
  await expect(page.locator('[data-testid="run-graph"] [data-node-key="first"]')).toBeVisible();
  await expect(page.getByText(/succeeded/i).first()).toBeVisible({ timeout: 20_000 });
  // Client-side navigation still works (Next's router scripts).
  await page.getByRole("link", { name: /runs/i }).first().click();
  await expect(page).toHaveURL(/\/($|\?)/);
  expect(await violations()).toEqual([]);
});

test("GraphiQL works under its own policy, and API responses forbid being loaded as documents", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const violations = await watchCsp(page);
  await login(page);
  // GraphiQL asks the API for the schema as soon as its (hash-allowed) script runs.
  const introspection = page.waitForResponse(
    (r) => r.url().endsWith("/api/graphql") && r.request().method() === "POST",
    { timeout: 120_000 },
  );
  const res = await page.goto("/graphiql", { timeout: 120_000 });
  expect(res?.status()).toBe(200);
  const headers = await res!.allHeaders();
  expect(headers["content-security-policy"]).toMatch(/script-src 'sha256-/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  // The editor mounted and talked to the API (over the session cookie).
  expect((await introspection).status()).toBe(200);
  await expect(page.locator(".graphiql-container").first()).toBeVisible({ timeout: 60_000 });
  expect(await violations()).toEqual([]);

  const api = await request.get("/api/health");
  expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
});

/** POST `total` bytes to `path` with chunked framing; the status, once the server answers. */
function chunkedPost(baseURL: string, path: string, total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(`${baseURL}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseURL },
      agent: false,
    });
    req.on("response", (res) => {
      answered = true;
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    const pump = async () => {
      req.write('{"token":"');
      while (sent < total && !answered && !req.destroyed) {
        if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
        sent += chunk.length;
      }
      if (!answered && !req.destroyed) req.end('"}');
    };
    pump().catch(() => {});
  });
}

test("a chunked 5 MiB login body is refused with 413, and the server carries on", async ({ request, baseURL }) => {
  expect(await chunkedPost(baseURL!, "/api/session", 5 * 1024 * 1024)).toBe(413);
  expect((await request.get("/api/health")).ok()).toBe(true);
  // An ordinary login still works.
  const ok = await request.post("/api/session", {
    headers: { origin: baseURL! },
    data: { token: (await import("./shell-fixtures")).TOKEN },
  });
  expect(ok.status()).toBe(200);
});

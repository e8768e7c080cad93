/**
 * Login hardening in the browser, against the real server: a `#token=` link opened while
 * logged in shows whose token it is and asks before replacing the session; `/login?next=`
 * only goes to same-origin paths; only this site's pages can log the browser out (a
 * cross-site form posting to /api/session/logout is refused).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { login, screenshots, TOKEN } from "./shell-fixtures";

const DATA_DIR = process.env.E2E_DATA_DIR ?? ".data/e2e";

/**
 * An OPERATOR token in a namespace of its own. The API only makes tokens in the caller's
 * namespace, so this goes to the server's database (joining its embedded PostgreSQL).
 */
async function tokenInOtherNamespace(): Promise<{ secret: string; namespace: string; name: string }> {
  const { url } = await startEmbeddedPostgres(path.resolve(DATA_DIR));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const namespace = `team-${randomBytes(3).toString("hex")}`;
  const secret = `sbx_${randomBytes(24).toString("base64url")}`;
  const name = "ci-bot";
  try {
    await client.query("INSERT INTO namespaces (name) VALUES ($1) ON CONFLICT DO NOTHING", [namespace]);
    await client.query(
      "INSERT INTO api_tokens (id, namespace, name, role, token_hash) VALUES ($1, $2, $3, 'OPERATOR', $4)",
      [randomUUID(), namespace, name, createHash("sha256").update(secret).digest("hex")],
    );
  } finally {
    await client.end();
  }
  return { secret, namespace, name };
}

const sessionCookie = async (context: BrowserContext) =>
  (await context.cookies()).find((c) => c.name === "signalbox_session")?.value;

/** Who the browser's session is, asked the way the web app asks (cookie, same origin). */
const whoAmI = (page: Page) =>
  page.evaluate(async () => {
    const r = await fetch("/api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { namespace role } }" }),
    });
    return ((await r.json()) as { data?: { viewer?: { namespace: string; role: string } } }).data?.viewer ?? null;
  });

test.describe("a #token= link while logged in", () => {
  test("shows both identities and asks; staying keeps the session, switching replaces it", async ({
    page,
    context,
  }) => {
    const other = await tokenInOtherNamespace();
    await login(page);
    const before = await sessionCookie(context);
    expect(await whoAmI(page)).toEqual({ namespace: "default", role: "ADMIN" });

    await page.goto(`/login?next=%2Fpipelines#token=${other.secret}`);
    await expect(page.getByRole("heading", { name: "Switch session?" })).toBeVisible();
    await expect(page.getByTestId("switch-question")).toHaveText(
      `You are logged in to default as admin; replace with ${other.namespace}/operator?`,
    );
    await expect(page.getByText(`token “${other.name}”`)).toBeVisible();
    // The secret is gone from the address bar before anything else happens.
    expect(page.url()).not.toContain(other.secret);
    expect(page.url()).not.toContain("#");
    // Asking changed nothing yet.
    expect(await sessionCookie(context)).toBe(before);
    expect(await whoAmI(page)).toEqual({ namespace: "default", role: "ADMIN" });
    await screenshots(page, "login-switch-session");

    // "Stay": on to `next` with the same session.
    await page.getByRole("link", { name: "Stay in default" }).click();
    await expect(page).toHaveURL(/\/pipelines$/);
    expect(await sessionCookie(context)).toBe(before);

    // The link again, and "Switch": a new session in the other namespace; the old one ends.
    await page.goto(`/login?next=%2Fpipelines#token=${other.secret}`);
    await page.getByRole("button", { name: `Switch to ${other.namespace}/operator` }).click();
    await expect(page).toHaveURL(/\/pipelines$/);
    const after = await sessionCookie(context);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(after).not.toBe(other.secret);
    expect(await whoAmI(page)).toEqual({ namespace: other.namespace, role: "OPERATOR" });
    const replayed = await page.request.post("/api/graphql", {
      headers: { authorization: `Bearer ${before}`, "content-type": "application/json" },
      data: { query: "{ viewer { namespace } }" },
    });
    expect(replayed.status()).toBe(401);
  });

  test("a link whose token does not work leaves the session alone and says so", async ({ page, context }) => {
    await login(page);
    const before = await sessionCookie(context);
    await page.goto("/login#token=sbx_not_a_real_token");
    await expect(page.getByText("The link's token was not used")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Already logged in" })).toBeVisible();
    expect(page.url()).not.toContain("sbx_not_a_real_token");
    expect(await sessionCookie(context)).toBe(before);
    await page.getByRole("link", { name: "Continue" }).click();
    await expect(page).toHaveURL(/\/$/);
    expect(await whoAmI(page)).toEqual({ namespace: "default", role: "ADMIN" });
  });

  test("logged in without a link, /login goes on to next", async ({ page }) => {
    await login(page);
    await page.goto("/login?next=%2Finbox");
    await expect(page).toHaveURL(/\/inbox$/);
  });

  test("the dry-run lookup answers who a token is without opening a session, and only same-origin", async ({
    page,
    context,
  }) => {
    await page.goto("/login");
    const res = await page.request.post("/api/session", {
      headers: { origin: new URL(page.url()).origin },
      data: { token: TOKEN, dryRun: true },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toEqual({ token: { name: "admin", namespace: "default", role: "ADMIN" } });
    expect(res.headers()["set-cookie"]).toBeUndefined();
    expect(await sessionCookie(context)).toBeUndefined();
    const bad = await page.request.post("/api/session", { data: { token: "sbx_nope", dryRun: true } });
    expect(bad.status()).toBe(401);
    const crossSite = await page.request.post("/api/session", {
      headers: { origin: "https://evil.example" },
      data: { token: TOKEN, dryRun: true },
    });
    expect(crossSite.status()).toBe(403);
  });
});

test.describe("/login?next=", () => {
  // A few of the forms tests/unit/safe-next.test.ts covers in full, end to end.
  for (const evil of ["/\t/evil.example", "/\\evil.example", "/.//evil.example", "https://evil.example"]) {
    test(`after logging in, ${JSON.stringify(evil)} goes to / on this site`, async ({ page, baseURL }) => {
      await page.route("https://evil.example/**", (r) => r.fulfill({ body: "evil" }));
      await page.goto(`/login?next=${encodeURIComponent(evil)}`);
      await page.getByLabel("API token").fill(TOKEN);
      await page.keyboard.press("Enter");
      await expect(page).toHaveURL(`${baseURL}/`);
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    });
  }

  test("logged in, an off-site next goes to / as well", async ({ page, baseURL }) => {
    await login(page);
    await page.goto(`/login?next=${encodeURIComponent("/\t/evil.example")}`);
    await expect(page).toHaveURL(`${baseURL}/`);
  });
});

test.describe("logout", () => {
  test("a cross-site form posting to /api/session/logout is refused (403); the site's own button works", async ({
    page,
    context,
    baseURL,
  }) => {
    await login(page);
    const before = await sessionCookie(context);
    // Another site's page with a self-submitting logout form.
    await page.route("https://evil.example/", (r) =>
      r.fulfill({
        contentType: "text/html",
        body: `<form id="f" method="post" action="${baseURL}/api/session/logout"></form><script>f.submit()</script>`,
      }),
    );
    const refused = page.waitForResponse((r) => r.url() === `${baseURL}/api/session/logout`);
    await page.goto("https://evil.example/");
    expect((await refused).status()).toBe(403);
    expect(await sessionCookie(context)).toBe(before);
    await page.goto("/");
    await expect(page).toHaveURL(`${baseURL}/`);
    expect(await whoAmI(page)).toEqual({ namespace: "default", role: "ADMIN" });

    // Without a browser: a cross-origin Origin header is refused too, a same-origin one works.
    const forged = await page.request.post("/api/session/logout", {
      headers: { origin: "https://evil.example" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await whoAmI(page)).toEqual({ namespace: "default", role: "ADMIN" });

    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect(await sessionCookie(context)).toBeUndefined();
  });
});

import { type NextRequest, NextResponse } from "next/server";
import { authenticateFrom } from "@/lib/auth/limiter";
import { openSession } from "@/lib/auth/sessions";
import { CLIENT_ADDRESS_HEADER } from "@/lib/net/client-address";
import { runtime } from "../../lib/runtime.server";
import { SESSION_MAX_AGE_S } from "../../lib/session";
import { endBrowserSession, setSessionCookie } from "./cookie";

/** A cookie set from another site would log the user in as someone else (login CSRF). */
function sameOrigin(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.get("host");
  } catch {
    return false;
  }
}

/** A login body is `{ "token": "…" }`: a few hundred bytes. */
const LOGIN_BODY_BYTES = 16 * 1024;
const TOO_LARGE = Symbol("too large");

/**
 * The JSON body, read as it arrives and kept only up to LOGIN_BODY_BYTES (never buffered
 * whole, whatever its framing); null when it is not JSON.
 */
async function readLoginBody(req: NextRequest): Promise<{ token?: unknown } | null | typeof TOO_LARGE> {
  if (Number(req.headers.get("content-length") ?? 0) > LOGIN_BODY_BYTES) return TOO_LARGE;
  if (!req.body) return null;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done || !value) break;
    size += value.byteLength;
    // Past the limit the rest is read and dropped, not kept: answering with the body half
    // unread would reset the connection under the client's feet. The server's own cap
    // (4 MiB, graphql/edge.ts) ends even that early with its 413.
    if (size <= LOGIN_BODY_BYTES) chunks.push(value);
  }
  if (size > LOGIN_BODY_BYTES) return TOO_LARGE;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as { token?: unknown } | null;
  } catch {
    return null;
  }
}

/**
 * Log in: `{ token }` in the body (never the URL). lib/auth checks the token and opens a
 * session of this browser's own (same namespace and role); the cookie holds the session's
 * secret, not the typed token, so logging out ends exactly this session. Errors never echo
 * the token.
 */
export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return NextResponse.json({ error: "cross-site login refused" }, { status: 403 });
  const body = await readLoginBody(req);
  if (body === TOO_LARGE) {
    return NextResponse.json({ error: `the request body is over ${LOGIN_BODY_BYTES} bytes` }, { status: 413 });
  }
  const token = typeof body?.token === "string" ? body.token.trim() : "";
  // The same failed-authentication limiter as the API (lib/auth/limiter.ts): a valid token
  // always logs in; unknown ones count against the client address and, past the limit, 429.
  const address = req.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
  const checked = await authenticateFrom(runtime().db, token || null, address);
  if (checked.outcome === "limited") {
    return NextResponse.json(
      { error: "Too many failed logins from your address; wait a minute and try again.", code: "RATE_LIMITED" },
      { status: 429, headers: { "retry-after": "60" } },
    );
  }
  // `dryRun`: whose token this is (namespace, role, name) without logging in — the login
  // page shows it before a `#token=` link replaces the current session. Same-origin and
  // counted by the limiter above like any login attempt.
  if ((body as { dryRun?: unknown } | null)?.dryRun === true) {
    const v = checked.viewer;
    if (!v) return NextResponse.json({ error: "That token is not valid, or it was revoked." }, { status: 401 });
    return NextResponse.json({ token: { name: v.name, namespace: v.namespace, role: v.role } });
  }
  const session = checked.viewer
    ? await openSession(runtime().db, token, {
        userAgent: req.headers.get("user-agent"),
        ttlMs: SESSION_MAX_AGE_S * 1000,
      })
    : null;
  if (!session) return NextResponse.json({ error: "That token is not valid, or it was revoked." }, { status: 401 });
  await setSessionCookie(req, session);
  const { viewer } = session;
  return NextResponse.json({ viewer: { name: viewer.name, namespace: viewer.namespace, role: viewer.role } });
}

/** Log out (fetch DELETE): the session is revoked, not just forgotten. Same origin only. */
export async function DELETE(req: NextRequest) {
  if (!sameOrigin(req)) return NextResponse.json({ error: "cross-site logout refused" }, { status: 403 });
  await endBrowserSession();
  return new NextResponse(null, { status: 204 });
}

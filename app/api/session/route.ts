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

/**
 * Log in: `{ token }` in the body (never the URL). lib/auth checks the token and opens a
 * session of this browser's own (same namespace and role); the cookie holds the session's
 * secret, not the typed token, so logging out ends exactly this session. Errors never echo
 * the token.
 */
export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return NextResponse.json({ error: "cross-site login refused" }, { status: 403 });
  const body = (await req.json().catch(() => null)) as { token?: unknown } | null;
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

/** Log out (fetch DELETE): the session is revoked, not just forgotten. */
export async function DELETE() {
  await endBrowserSession();
  return new NextResponse(null, { status: 204 });
}

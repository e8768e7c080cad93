import { cookies } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import { authenticate } from "@/lib/auth/tokens";
import { runtime } from "../../lib/runtime.server";
import { SESSION_COOKIE, SESSION_MAX_AGE_S } from "../../lib/session";

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

const isHttps = (req: NextRequest) =>
  req.nextUrl.protocol === "https:" || req.headers.get("x-forwarded-proto")?.split(",")[0].trim() === "https";

/**
 * Log in: `{ token }` in the body (never the URL). The token is checked with lib/auth and
 * stored in an httpOnly, SameSite=Lax cookie. Errors never echo the token.
 */
export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return NextResponse.json({ error: "cross-site login refused" }, { status: 403 });
  const body = (await req.json().catch(() => null)) as { token?: unknown } | null;
  const token = typeof body?.token === "string" ? body.token.trim() : "";
  const viewer = token ? await authenticate(runtime().db, token) : null;
  if (!viewer) return NextResponse.json({ error: "That token is not valid, or it was revoked." }, { status: 401 });
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(req),
    path: "/",
    maxAge: SESSION_MAX_AGE_S,
  });
  return NextResponse.json({ viewer: { name: viewer.name, namespace: viewer.namespace, role: viewer.role } });
}

/** Log out (fetch DELETE). */
export async function DELETE() {
  (await cookies()).delete(SESSION_COOKIE);
  return new NextResponse(null, { status: 204 });
}

import { hasRole, type Role, type Viewer } from "../lib/auth/tokens";
import { env } from "../lib/env";
import { forbidden } from "./errors";

/** The web app's login stores the token in this httpOnly cookie. */
const SESSION_COOKIE = "signalbox_session";

/** Header access shared by Fetch `Request` (yoga) and Node's `IncomingMessage` (upgrade). */
export type HeaderGetter = (name: string) => string | null | undefined;

export function bearerToken(authorization: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m ? m[1] : null;
}

export function sessionCookie(cookie: string | null | undefined): string | null {
  for (const part of (cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) {
      const value = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(value) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * A cookie is ambient authority, so it only counts when the request comes from our own
 * origin or an allowed one (SIGNALBOX_ALLOWED_ORIGINS): a cross-site page can neither
 * POST a mutation nor open a WebSocket with the user's session. No Origin header means
 * not a cross-site browser request (browsers send it on POST and WebSocket).
 */
export function originAllowed(header: HeaderGetter): boolean {
  const origin = header("origin");
  if (!origin) return true;
  if (env().SIGNALBOX_ALLOWED_ORIGINS.includes(origin)) return true;
  try {
    return new URL(origin).host === header("host");
  } catch {
    return false;
  }
}

/** Throws FORBIDDEN unless the viewer has at least `role` (viewer < operator < admin). */
export function requireRole(viewer: Viewer, role: Role): Viewer {
  if (!hasRole(viewer, role)) throw forbidden(role.toLowerCase());
  return viewer;
}

/**
 * The namespace an operation may touch: the token's own. Asking for another namespace
 * yields null, which callers turn into "nothing there" — admins included (a token is
 * bound to one namespace; cross-namespace administration is not part of this API).
 */
export function scopeNamespace(viewer: Viewer, requested: string | null | undefined): string | null {
  return requested == null || requested === viewer.namespace ? viewer.namespace : null;
}

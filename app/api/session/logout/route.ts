import { type NextRequest, NextResponse } from "next/server";
import { endBrowserSession } from "../cookie";

/**
 * Only this site's own pages may log the browser out: another site could otherwise post
 * a hidden form here and end the user's session whenever it liked (logout CSRF). Browsers
 * say where a POST comes from in `Origin` (and `Sec-Fetch-Site`); a request with neither is
 * not a cross-site browser request. `Origin: null` (sandboxed frames, opaque origins) is
 * refused.
 */
function fromThisSite(req: NextRequest): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  try {
    return new URL(origin).host === req.headers.get("host");
  } catch {
    return false; // "null" and anything unparsable
  }
}

/** Log out from a plain form POST (works without JavaScript), then back to /login. */
export async function POST(req: NextRequest) {
  if (!fromThisSite(req)) {
    return new NextResponse("Cross-site logout refused: log out from Signalbox's own pages.", {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  await endBrowserSession();
  // A relative Location: `req.url` may name another host than the browser used (Next's
  // own hostname), which CSP's `form-action 'self'` would block mid-redirect.
  return new NextResponse(null, { status: 303, headers: { location: "/login" } });
}

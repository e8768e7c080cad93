import { type NextRequest, NextResponse } from "next/server";
import { SESSION_COOKIE } from "./app/lib/session";

/**
 * Pages need a session: without the cookie, go to /login (and come back afterwards).
 * Only presence is checked here (no database in the proxy); pages validate the token
 * through `requireViewer()`, which also redirects when it was revoked.
 */
export function proxy(req: NextRequest) {
  if (req.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  const url = req.nextUrl.clone();
  const from = req.nextUrl.pathname + req.nextUrl.search;
  url.pathname = "/login";
  url.search = from === "/" ? "" : `?next=${encodeURIComponent(from)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: not the API, Next's assets, GraphiQL, the login page or files with an extension.
  matcher: ["/((?!api|_next|graphiql|login|favicon\\.ico|.*\\.[a-z0-9]+$).*)"],
};

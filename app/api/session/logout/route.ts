import { cookies } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import { SESSION_COOKIE } from "../../../lib/session";

/** Log out from a plain form POST (works without JavaScript), then back to /login. */
export async function POST(req: NextRequest) {
  (await cookies()).delete(SESSION_COOKIE);
  return NextResponse.redirect(new URL("/login", req.url), 303);
}

import { type NextRequest, NextResponse } from "next/server";
import { endBrowserSession } from "../cookie";

/** Log out from a plain form POST (works without JavaScript), then back to /login. */
export async function POST(req: NextRequest) {
  await endBrowserSession();
  return NextResponse.redirect(new URL("/login", req.url), 303);
}

import { createHmac, timingSafeEqual } from "node:crypto";

export interface VerifyWebhookOptions {
  /** The signing secret `createWebhook` returned (once). */
  secret: string;
  /** The request body exactly as received: the raw bytes or their UTF-8 text, not re-serialized JSON. */
  body: string | Uint8Array;
  /** The `Signalbox-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
  signature: string | null | undefined;
  /** Oldest (or furthest in the future) a timestamp may be, in seconds; default 300. */
  toleranceSeconds?: number;
  /** For tests: the current time in unix seconds. */
  now?: number;
}

/**
 * Whether a webhook delivery really comes from your Signalbox server: the
 * `Signalbox-Signature` header must carry a `v1` HMAC-SHA256 of `"<t>.<body>"` with your
 * secret (compared in constant time) and a timestamp `t` within `toleranceSeconds` of now,
 * so a captured request cannot be replayed later. Returns false rather than throwing.
 *
 * ```ts
 * if (!verifyWebhook({ secret, body: rawBody, signature: req.headers["signalbox-signature"] }))
 *   return res.writeHead(400).end();
 * ```
 */
export function verifyWebhook({
  secret,
  body,
  signature,
  toleranceSeconds = 300,
  now = Math.floor(Date.now() / 1000),
}: VerifyWebhookOptions): boolean {
  if (!secret || !signature) return false;
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of signature.split(",")) {
    const i = part.indexOf("=");
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) v1.push(value.toLowerCase());
  }
  if (t === null || v1.length === 0 || Math.abs(now - t) > toleranceSeconds) return false;
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  const expected = createHmac("sha256", secret).update(`${t}.`).update(payload).digest();
  // Several v1 values may be sent while a secret is rotated: any one that matches will do.
  return v1.some((hex) => timingSafeEqual(Buffer.from(hex, "hex"), expected));
}

import {
  compilePolicy,
  namedInPolicy,
  type PinnedTarget,
  resolveTarget,
  type TargetPolicy,
} from "../engine/executors/http-target";
import { DomainError } from "../errors";

const MAX_URL_LENGTH = 2048;

/** BAD_INPUT on the `url` field (the web form shows it beside the input). */
const badUrl = (message: string) => new DomainError("BAD_INPUT", message, { field: "url" });

/**
 * The checks a webhook URL passes without the network: an absolute http(s) URL without
 * credentials, and `https://` unless the allowlist (SIGNALBOX_HTTP_ALLOWED_HOSTS) names the
 * host — a delivery carries run data and its signature, which plain http exposes on the way.
 */
export function parseWebhookUrl(raw: string, policy: TargetPolicy): URL {
  const url = parseSyntax(raw);
  requireTls(url, policy);
  return url;
}

function parseSyntax(raw: string): URL {
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) throw badUrl(`the URL is over ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl("not a valid URL: use https://host/path");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badUrl("the URL must start with https://");
  if (url.username || url.password)
    throw badUrl("no credentials in the URL: receivers authenticate deliveries by their signature");
  return url;
}

function requireTls(url: URL, policy: TargetPolicy) {
  if (url.protocol === "http:" && !namedInPolicy(policy, url))
    throw badUrl(
      "use https://: plain http:// is only for hosts named in SIGNALBOX_HTTP_ALLOWED_HOSTS (deliveries carry run data and their signature)",
    );
}

/**
 * Everything a delivery checks before it connects, with the SSRF rules of `http` nodes
 * (http-target.ts): the host is resolved once, every address must be public or
 * allowlisted, and the connection is pinned to the checked address, so a DNS answer that
 * changes after the check (rebinding) cannot send it to a private one. Registration runs
 * the same checks, so a private URL is refused up front.
 */
export async function checkWebhookTarget(
  raw: string,
  policy: TargetPolicy,
): Promise<{ url: URL; target: PinnedTarget }> {
  const url = parseSyntax(raw);
  let target: PinnedTarget;
  try {
    target = await resolveTarget(url, policy, "webhooks");
  } catch (err) {
    throw badUrl((err as Error).message);
  }
  // After the address: a refused address is the answer that matters (https would not help).
  requireTls(url, policy);
  return { url, target };
}

let cached: { key: string; policy: TargetPolicy } | null = null;

/**
 * The allowlist as webhooks apply it: SIGNALBOX_HTTP_ALLOWED_HOSTS, without the exception
 * `http` nodes have for this server's own address (a webhook has no reason to call it).
 */
export function webhookPolicy(allowedHosts: readonly string[]): TargetPolicy {
  const key = allowedHosts.join(",");
  if (cached?.key !== key) cached = { key, policy: compilePolicy([...allowedHosts]) };
  return cached.policy;
}

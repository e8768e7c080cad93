/**
 * Where an `http` node may connect (SPEC §2, SIGNALBOX_HTTP_ALLOWED_HOSTS). Public unicast
 * addresses always; private, loopback, link-local, CGNAT, multicast, metadata and other
 * special-purpose ranges only when the allowlist names the host, the IP or a CIDR around it,
 * or when the address is this server's own address and port (the demo endpoint).
 *
 * The name is resolved once and the connection goes to that address (pinned), so a DNS
 * answer that changes between the check and the connect (rebinding) cannot redirect it.
 */
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface TargetPolicy {
  /** `*` in the allowlist: every address (an explicit opt-out). */
  any: boolean;
  hosts: Set<string>;
  /** `*.example.internal` entries, stored as `.example.internal`. */
  suffixes: string[];
  cidrs: [Address, number][];
  /** This server's own listening address and port. */
  self?: { host: string; port: number };
}

/** Parse SIGNALBOX_HTTP_ALLOWED_HOSTS entries (host names, IPs, CIDRs; `*.suffix`; `*`). */
export function compilePolicy(entries: string[], self?: { host: string; port: number }): TargetPolicy {
  const policy: TargetPolicy = { any: false, hosts: new Set(), suffixes: [], cidrs: [], self };
  for (const raw of entries) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, "");
    if (!entry) continue;
    if (entry === "*") policy.any = true;
    else if (entry.startsWith("*.")) policy.suffixes.push(entry.slice(1));
    else if (entry.includes("/") && ipaddr.isValidCIDR(entry)) policy.cidrs.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const a = ipaddr.process(entry);
      policy.cidrs.push([a, a.kind() === "ipv4" ? 32 : 128]);
    } else policy.hosts.add(entry);
  }
  return policy;
}

const LOOPBACKS = ["127.0.0.1", "::1"];

function isSelf(policy: TargetPolicy, a: Address, port: number): boolean {
  const self = policy.self;
  if (!self || self.port !== port) return false;
  const host = self.host.replace(/^\[|\]$/g, "");
  // Listening on every interface (or on a name such as `localhost`): the loopback addresses reach it.
  const wildcard = !ipaddr.isValid(host) || ipaddr.process(host).range() === "unspecified";
  const own = wildcard ? LOOPBACKS : [host];
  return own.some((o) => ipaddr.process(o).toNormalizedString() === a.toNormalizedString());
}

function allowedAddress(policy: TargetPolicy, host: string, a: Address, port: number): boolean {
  if (a.range() === "unicast") return true;
  if (policy.any || policy.hosts.has(host) || policy.suffixes.some((s) => host.endsWith(s))) return true;
  if (policy.cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits))) return true;
  return isSelf(policy, a, port);
}

/**
 * True when the allowlist itself names `url`'s host (`*`, the name, a `*.suffix`, or an IP
 * literal inside a listed CIDR), not merely an address it resolves to. Webhooks may use
 * plain `http://` only to such hosts.
 */
export function namedInPolicy(policy: TargetPolicy, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (policy.any || policy.hosts.has(host) || policy.suffixes.some((s) => host.endsWith(s))) return true;
  if (!ipaddr.isValid(host)) return false;
  const a = ipaddr.process(host);
  return policy.cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

class TargetRefused extends Error {}

export interface PinnedTarget {
  address: string;
  family: 4 | 6;
  /** For http.request's `lookup`: always answers the checked address. */
  lookup: LookupFunction;
}

/**
 * Resolve `url`'s host once and check every address it resolves to; throws TargetRefused
 * naming the range when one is not allowed. Returns the address to connect to.
 */
export async function resolveTarget(url: URL, policy: TargetPolicy, who = "http nodes"): Promise<PinnedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const answers = ipaddr.isValid(host)
    ? [{ address: host }]
    : await dns.promises.lookup(host, { all: true, verbatim: true }).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot resolve ${host}: ${err.code ?? err.message}`);
      });
  if (answers.length === 0) throw new Error(`cannot resolve ${host}`);
  const addresses = answers.map((r) => ipaddr.process(r.address));
  // Any refused answer refuses the host: a name must not mix a public and a private address.
  for (const a of addresses) {
    if (!allowedAddress(policy, host, a, port)) {
      const shown = host === a.toString() ? host : `${host} (${a.toString()})`;
      throw new TargetRefused(
        `${who} may not reach ${shown}:${port}: ${a.range()} address; ` +
          "name it in SIGNALBOX_HTTP_ALLOWED_HOSTS to allow it",
      );
    }
  }
  const first = addresses[0];
  const address = first.toString();
  const family = first.kind() === "ipv4" ? 4 : 6;
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as dns.LookupOptions).all)
      (callback as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return { address, family, lookup };
}

/** A URL as logs, errors and events show it: no credentials, no query string. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?<redacted>" : ""}`;
}

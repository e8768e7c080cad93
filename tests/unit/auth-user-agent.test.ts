import { describe, expect, it } from "vitest";
import { formatUntil, sessionBrowser, type TokenRow } from "../../app/components/tokens/token-rows";
import { sessionName } from "../../lib/auth/sessions";
import { describeUserAgent } from "../../lib/auth/user-agent";

describe("describeUserAgent (browser session names)", () => {
  it.each([
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Chrome 131 on macOS",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
      "Edge 131 on Windows",
    ],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Linux"],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
      "Safari 18 on iOS",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
      "Chrome 131 on Android",
    ],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
      "Chrome 131 on Linux",
    ],
    ["curl/8.5.0", "curl 8"],
    ["", "unknown browser"],
    [null, "unknown browser"],
  ])("%s → %s", (ua, label) => {
    expect(describeUserAgent(ua)).toBe(label);
  });

  it("names a session after its token and browser, and the page reads the browser back", () => {
    const name = sessionName("alice · ops", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
    expect(name).toBe("session: alice · ops · Firefox 133 on Linux");
    expect(sessionName("x".repeat(300), null).length).toBe(200);
    expect(sessionBrowser({ name: "session: admin · Chrome 131 on Linux" } as TokenRow)).toBe("Chrome 131 on Linux");
  });

  it("says how long until a session ends", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(formatUntil("2026-01-31T00:00:00Z", now)).toBe("in 30d");
    expect(formatUntil("2026-01-01T05:30:00Z", now)).toBe("in 5h");
    expect(formatUntil("2026-01-01T00:12:00Z", now)).toBe("in 12m");
    expect(formatUntil("2025-12-31T00:00:00Z", now)).toBe("in under a minute");
  });
});

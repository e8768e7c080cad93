/** Browsers, most specific first: Edge and Opera say "Chrome", Chrome says "Safari". */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bFirefox\/(\d+)/, "Firefox"],
  [/\bFxiOS\/(\d+)/, "Firefox"],
  [/\bCriOS\/(\d+)/, "Chrome"],
  [/\b(?:Headless)?Chrom(?:e|ium)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
  [/\bcurl\/(\d+)/, "curl"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bWindows\b/, "Windows"],
  [/\bLinux\b/, "Linux"],
];

/**
 * A short, human label for a User-Agent header, for naming browser sessions:
 * `Chrome 131 on macOS`, `Firefox 133 on Linux`, `Safari 18 on iOS`; `unknown browser`
 * when it says nothing recognizable. Never longer than 60 characters.
 */
export function describeUserAgent(ua: string | null | undefined): string {
  const text = (ua ?? "").slice(0, 1000);
  let browser: string | null = null;
  for (const [re, name] of BROWSERS) {
    const m = re.exec(text);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  const system = SYSTEMS.find(([re]) => re.test(text))?.[1] ?? null;
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return (browser ?? `browser on ${system}`).slice(0, 60);
  return "unknown browser";
}

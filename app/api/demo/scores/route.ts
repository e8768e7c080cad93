/**
 * Demo data for the example pipelines' `http` nodes: deterministic pseudo-random model
 * scores, so runs are reproducible. `?n=` items (1..100).
 */
export function GET(req: Request) {
  const n = Math.min(100, Math.max(1, Number(new URL(req.url).searchParams.get("n")) || 10));
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const families = ["atlas", "borealis", "cirrus", "delta", "ember", "fjord", "granite", "harbor"];
  const items = Array.from({ length: n }, (_, i) => ({
    name: `${families[i % families.length]}-${1 + Math.floor(i / families.length)}`,
    score: Math.round(rnd() * 10_000) / 10_000,
    latencyMs: Math.round(20 + rnd() * 400),
    paramsB: Math.round((1 + rnd() * 70) * 10) / 10,
  }));
  return Response.json({ generatedAt: "2026-11-21T00:00:00Z", items });
}

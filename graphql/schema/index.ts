import { readFileSync } from "node:fs";

/** The SDL, split by domain; `extend type` in each file adds its root fields. */
const FILES = [
  "base",
  "runs",
  "nodes",
  "events",
  "pipelines",
  "workers",
  "tokens",
  "namespaces",
  "reruns",
  "schedules",
  "webhooks",
  "metrics",
] as const;

/** Every SDL file's text, in a fixed order (the printed schema follows it). */
export const typeDefs: string[] = FILES.map((f) => readFileSync(new URL(`./${f}.graphql`, import.meta.url), "utf8"));

import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

/**
 * One copy of `graphql` in tests, as under Node/tsx: vite would resolve our sources' bare
 * `graphql` to its ESM build while graphql-yoga (loaded by Node) gets the CJS build, and
 * graphql-js refuses schemas and types from "another module or realm".
 */
const graphql = { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve("graphql") };
/** tsconfig's `@/` (the project root), as Next resolves it for app/ modules. */
const root = { find: /^@\//, replacement: `${import.meta.dirname}/` };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: [graphql, root] },
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
          // Property-based (fast-check) cases take seconds on a loaded 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: [graphql, root] },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          // One file at a time: 2 cores, and some tests spawn servers and workers.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

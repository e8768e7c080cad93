-- CreateTable
CREATE TABLE "run_results" (
    "run_id" UUID NOT NULL,
    "idx" INTEGER NOT NULL,
    "node_key" TEXT NOT NULL,
    "row" JSONB NOT NULL,

    CONSTRAINT "run_results_pkey" PRIMARY KEY ("run_id","idx")
);

-- AddForeignKey
ALTER TABLE "run_results" ADD CONSTRAINT "run_results_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "results_bytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "results_count" INTEGER NOT NULL DEFAULT 0;

-- Move existing results tables into the append-only store (the emitting node is unknown: "").
INSERT INTO "run_results" ("run_id", "idx", "node_key", "row")
SELECT r."id", (e.ord - 1)::int, '', e.value
FROM "runs" r, jsonb_array_elements(r."results_rows") WITH ORDINALITY AS e(value, ord)
WHERE jsonb_typeof(r."results_rows") = 'array';

UPDATE "runs" r SET
  "results_count" = s.n,
  "results_bytes" = LEAST(s.bytes, 2147483647)::int
FROM (
  SELECT "run_id", count(*)::int AS n, sum(octet_length("row"::text))::bigint AS bytes
  FROM "run_results" GROUP BY "run_id"
) s
WHERE s."run_id" = r."id";

-- AlterTable
ALTER TABLE "runs" DROP COLUMN "results_rows";

-- AlterTable
ALTER TABLE "run_nodes" ADD COLUMN     "lease_token_id" UUID;

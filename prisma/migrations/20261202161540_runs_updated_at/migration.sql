-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "runs_namespace_updated_at_idx" ON "runs"("namespace", "updated_at");

-- DropIndex
DROP INDEX "schedules_enabled_idx";

-- AlterTable
ALTER TABLE "schedules" ADD COLUMN     "next_fire_at" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "schedules_enabled_next_fire_at_idx" ON "schedules"("enabled", "next_fire_at");

-- AlterTable
ALTER TABLE "namespaces" ADD COLUMN     "allow_commands" BOOLEAN NOT NULL DEFAULT false;

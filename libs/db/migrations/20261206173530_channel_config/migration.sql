-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "config" JSONB NOT NULL DEFAULT '{}';

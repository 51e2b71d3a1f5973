-- AlterTable
ALTER TABLE "request_logs" ADD COLUMN     "plugins" JSONB;

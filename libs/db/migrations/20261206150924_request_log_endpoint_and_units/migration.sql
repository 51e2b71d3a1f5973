-- AlterTable
ALTER TABLE "request_logs" ADD COLUMN     "endpoint" TEXT,
ADD COLUMN     "units" JSONB;

-- AlterTable
ALTER TABLE "prices" ADD COLUMN     "audioInputPerMinuteMicros" BIGINT,
ADD COLUMN     "perImageBySizeMicros" JSONB,
ADD COLUMN     "perImageMicros" BIGINT,
ADD COLUMN     "perSearchUnitMicros" BIGINT,
ADD COLUMN     "speechPerMillionCharsMicros" BIGINT;

-- AlterTable
ALTER TABLE "request_logs" ADD COLUMN     "endpoint" TEXT,
ADD COLUMN     "units" JSONB;

-- CreateIndex
CREATE INDEX "request_logs_endpoint_idx" ON "request_logs"("endpoint");

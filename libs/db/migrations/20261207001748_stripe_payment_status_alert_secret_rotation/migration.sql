-- AlterTable
ALTER TABLE "alert_channels" ADD COLUMN     "previousSecret" TEXT,
ADD COLUMN     "previousSecretUntil" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "stripe_payments" ADD COLUMN     "creditMicros" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "disputeId" TEXT,
ADD COLUMN     "disputeStatus" TEXT,
ADD COLUMN     "disputedMicros" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "note" TEXT,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'credited';

-- CreateIndex
CREATE INDEX "stripe_payments_status_idx" ON "stripe_payments"("status");

-- Payments recorded before statuses existed were all credited: their intended credit is what they credited.
UPDATE "stripe_payments" SET "creditMicros" = "creditedMicros";

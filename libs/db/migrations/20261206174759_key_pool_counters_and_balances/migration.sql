-- AlterTable
ALTER TABLE "channel_keys" ADD COLUMN     "allowanceCheckedAt" TIMESTAMP(3),
ADD COLUMN     "allowanceError" TEXT,
ADD COLUMN     "allowanceLimit" DOUBLE PRECISION,
ADD COLUMN     "allowanceResetAt" TIMESTAMP(3),
ADD COLUMN     "allowanceUsed" DOUBLE PRECISION,
ADD COLUMN     "errors" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "inputTokens" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "lastUsedAt" TIMESTAMP(3),
ADD COLUMN     "outputTokens" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "requests" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "channel_balances" (
    "channelId" INTEGER NOT NULL,
    "balance" DOUBLE PRECISION,
    "currency" TEXT,
    "updatedAt" TIMESTAMP(3),
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "error" TEXT,

    CONSTRAINT "channel_balances_pkey" PRIMARY KEY ("channelId")
);

-- AddForeignKey
ALTER TABLE "channel_balances" ADD CONSTRAINT "channel_balances_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "groups" ADD COLUMN     "budget" JSONB;

-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "budget" JSONB;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "budget" JSONB;

-- CreateIndex
CREATE INDEX "ledger_entries_userId_createdAt_idx" ON "ledger_entries"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "ledger_entries_tokenId_createdAt_idx" ON "ledger_entries"("tokenId", "createdAt");

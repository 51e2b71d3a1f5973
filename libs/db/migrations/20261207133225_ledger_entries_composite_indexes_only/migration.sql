-- DropIndex
DROP INDEX "ledger_entries_tokenId_idx";

-- DropIndex
DROP INDEX "ledger_entries_userId_idx";

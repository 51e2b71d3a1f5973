-- AlterTable
ALTER TABLE "users" ADD COLUMN     "adjustmentsMicros" BIGINT NOT NULL DEFAULT 0;

-- Balances derive from the ledger. Billing writes its own entries (usage, topup, redemption) in the same
-- transaction as the balance move, and marks that transaction with
-- set_config('switchboard.ledger_writer', 'billing', true). Any other change of users."balanceMicros" (the opening
-- balance, auth's PATCH, a manual UPDATE) is added to users."adjustmentsMicros" by this trigger, so that for every
-- user with a limited balance  balanceMicros = adjustmentsMicros + SUM(ledger_entries.amountMicros)  holds and the
-- reconciliation can check it.
--
-- The function body is an E'' string whose statement terminators are written \073 (octal for a semicolon):
-- @prisma/adapter-pg runs a migration script by splitting it on every semicolon, dollar quotes included.
-- Readable form of the body:
--   IF current_setting('switchboard.ledger_writer', true) = 'billing' OR NEW."balanceMicros" IS NULL THEN RETURN NEW END IF
--   IF TG_OP = 'INSERT' OR OLD."balanceMicros" IS NULL THEN   -- opening balance, or unlimited -> limited
--     NEW."adjustmentsMicros" := NEW."balanceMicros" - (sum of the user's ledger entries, e.g. debits while unlimited)
--   ELSE NEW."adjustmentsMicros" := OLD."adjustmentsMicros" + NEW."balanceMicros" - OLD."balanceMicros" END IF
--   RETURN NEW
CREATE OR REPLACE FUNCTION switchboard_balance_adjustment() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF current_setting(''switchboard.ledger_writer'', true) = ''billing'' OR NEW."balanceMicros" IS NULL THEN
    RETURN NEW\073
  END IF\073
  IF TG_OP = ''INSERT'' OR OLD."balanceMicros" IS NULL THEN
    NEW."adjustmentsMicros" := NEW."balanceMicros" - COALESCE((SELECT SUM("amountMicros") FROM ledger_entries WHERE "userId" = NEW.id), 0)\073
  ELSE
    NEW."adjustmentsMicros" := OLD."adjustmentsMicros" + NEW."balanceMicros" - OLD."balanceMicros"\073
  END IF\073
  RETURN NEW\073
END
';

CREATE TRIGGER users_balance_adjustment
BEFORE INSERT OR UPDATE OF "balanceMicros" ON users
FOR EACH ROW EXECUTE FUNCTION switchboard_balance_adjustment();

-- The balances that existed before this migration are their own opening adjustments.
UPDATE users u SET "adjustmentsMicros" = u."balanceMicros" - COALESCE((SELECT SUM(l."amountMicros") FROM ledger_entries l WHERE l."userId" = u.id), 0)
WHERE u."balanceMicros" IS NOT NULL;

-- Channel headers and paramOverride hold secrets (APP-Code, …): from now on they are stored as SecretBox ciphertext,
-- like the keys. SQL cannot encrypt (SECRET_KEY is not in the database): the plain-text columns stay as legacy
-- columns, which the router encrypts into the new ones at start and then clears.
-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "headersCiphertext" TEXT,
ADD COLUMN     "paramOverrideCiphertext" TEXT,
ALTER COLUMN "headers" DROP NOT NULL,
ALTER COLUMN "headers" DROP DEFAULT,
ALTER COLUMN "paramOverride" DROP NOT NULL,
ALTER COLUMN "paramOverride" DROP DEFAULT;

-- Nothing to encrypt: no start-up work.
UPDATE "channels" SET "headers" = NULL WHERE "headers" = '{}'::jsonb;
UPDATE "channels" SET "paramOverride" = NULL WHERE "paramOverride" = '{}'::jsonb;

-- Audit snapshots of channels held the values in plain text: keep the names, mask the values.
UPDATE "audit_logs"
SET "before" = jsonb_set("before", '{headers}', COALESCE((SELECT jsonb_object_agg(e.key, '"****"'::jsonb) FROM jsonb_each("before"->'headers') AS e), '{}'::jsonb))
WHERE "entity" = 'channel' AND jsonb_typeof("before"->'headers') = 'object';
UPDATE "audit_logs"
SET "before" = jsonb_set("before", '{paramOverride}', COALESCE((SELECT jsonb_object_agg(e.key, '"****"'::jsonb) FROM jsonb_each("before"->'paramOverride') AS e), '{}'::jsonb))
WHERE "entity" = 'channel' AND jsonb_typeof("before"->'paramOverride') = 'object';
UPDATE "audit_logs"
SET "after" = jsonb_set("after", '{headers}', COALESCE((SELECT jsonb_object_agg(e.key, '"****"'::jsonb) FROM jsonb_each("after"->'headers') AS e), '{}'::jsonb))
WHERE "entity" = 'channel' AND jsonb_typeof("after"->'headers') = 'object';
UPDATE "audit_logs"
SET "after" = jsonb_set("after", '{paramOverride}', COALESCE((SELECT jsonb_object_agg(e.key, '"****"'::jsonb) FROM jsonb_each("after"->'paramOverride') AS e), '{}'::jsonb))
WHERE "entity" = 'channel' AND jsonb_typeof("after"->'paramOverride') = 'object';

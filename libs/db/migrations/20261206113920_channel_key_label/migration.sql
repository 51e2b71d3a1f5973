-- AlterTable
ALTER TABLE "channel_keys" ADD COLUMN     "label" TEXT NOT NULL DEFAULT '';

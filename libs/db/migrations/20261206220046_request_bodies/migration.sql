-- AlterTable
ALTER TABLE "groups" ADD COLUMN     "logBodies" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "logBodies" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "request_bodies" (
    "requestId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request" TEXT NOT NULL,
    "response" TEXT,
    "truncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "request_bodies_pkey" PRIMARY KEY ("requestId")
);

-- CreateIndex
CREATE INDEX "request_bodies_createdAt_idx" ON "request_bodies"("createdAt");

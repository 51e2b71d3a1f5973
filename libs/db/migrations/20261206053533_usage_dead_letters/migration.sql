-- CreateTable
CREATE TABLE "usage_dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "consumer" TEXT NOT NULL,
    "requestId" TEXT,
    "record" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_dead_letters_createdAt_idx" ON "usage_dead_letters"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "usage_dead_letters_consumer_requestId_key" ON "usage_dead_letters"("consumer", "requestId");

-- CreateTable
CREATE TABLE "stripe_payments" (
    "sessionId" TEXT NOT NULL,
    "paymentIntent" TEXT,
    "userId" INTEGER NOT NULL,
    "amountTotal" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "creditedMicros" BIGINT NOT NULL,
    "reversedMicros" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "stripe_payments_pkey" PRIMARY KEY ("sessionId")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stripe_payments_paymentIntent_key" ON "stripe_payments"("paymentIntent");

-- CreateIndex
CREATE INDEX "stripe_payments_userId_idx" ON "stripe_payments"("userId");

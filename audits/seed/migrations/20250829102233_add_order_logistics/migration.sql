-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "logisticsId" TEXT;

-- CreateIndex
CREATE INDEX "Order_logisticsId_idx" ON "Order"("logisticsId");

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_logisticsId_fkey" FOREIGN KEY ("logisticsId") REFERENCES "LogisticsProfile"("id") ON DELETE SET NULL ON UPDATE CASCADE;

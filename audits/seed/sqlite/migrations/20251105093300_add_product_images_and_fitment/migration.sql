-- AlterTable
ALTER TABLE "Product" ADD COLUMN "carMake" TEXT;
ALTER TABLE "Product" ADD COLUMN "carModel" TEXT;
ALTER TABLE "Product" ADD COLUMN "images" TEXT;

-- CreateIndex
CREATE INDEX "Product_category_idx" ON "Product"("category");

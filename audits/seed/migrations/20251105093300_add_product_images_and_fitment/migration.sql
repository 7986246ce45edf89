-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "carMake" TEXT,
ADD COLUMN     "carModel" TEXT,
ADD COLUMN     "images" TEXT[];

-- CreateIndex
CREATE INDEX "Product_category_idx" ON "Product"("category");

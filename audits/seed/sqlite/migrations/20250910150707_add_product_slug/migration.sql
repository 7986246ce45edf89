-- AlterTable
ALTER TABLE "Product" ADD COLUMN "slug" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Product_slug_key" ON "Product"("slug");

import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import { prisma } from '@/lib/prisma';
import { requireRole } from '@/lib/session';

type Params = { params: { id: string } };

const ProductPatch = z
  .object({
    name: z.string().min(2),
    description: z.string().max(5000).nullable(),
    price: z.number().positive(),
    stock: z.number().int().nonnegative(),
    isActive: z.boolean(),
    images: z.array(z.string().url()).max(10),
  })
  .partial();

export async function GET(_req: NextRequest, { params }: Params) {
  const product = await prisma.product.findUnique({ where: { id: params.id } });
  if (!product || !product.isActive) {
    return NextResponse.json({ error: 'Product not found' }, { status: 404 });
  }
  return NextResponse.json(product);
}

export async function PATCH(req: NextRequest, { params }: Params) {
  requireRole(req, 'SUPPLIER');
  const parsed = ProductPatch.safeParse(await req.json());
  if (!parsed.success) return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });

  // The supplier's ownership is checked by middleware against the product's supplierId claim.
  const product = await prisma.product.update({ where: { id: params.id }, data: parsed.data });
  return NextResponse.json(product);
}

import { NextRequest, NextResponse } from 'next/server';
import { prisma, buildProductFilter, pagination } from '../../../lib';

export async function GET(req: NextRequest) {
  const params = req.nextUrl.searchParams;
  const where = buildProductFilter(params);
  const sort = params.get('sort') === 'price' ? { price: 'asc' as const } : { createdAt: 'desc' as const };

  const [items, total] = await prisma.$transaction([
    prisma.product.findMany({ where, orderBy: sort, ...pagination(params) }),
    prisma.product.count({ where }),
  ]);
  return NextResponse.json({ items, total });
}

import { NextRequest, NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { pagination } from '@/lib/utils';
import { requireUserId } from '@/lib/session';

export async function GET(req: NextRequest) {
  const productId = req.nextUrl.searchParams.get('productId');
  if (!productId) return NextResponse.json({ error: 'productId is required' }, { status: 400 });

  const reviews = await prisma.review.findMany({
    where: { productId },
    include: { user: true },
    orderBy: { createdAt: 'desc' },
    ...pagination(req.nextUrl.searchParams),
  });
  return NextResponse.json(
    reviews.map(({ user, ...review }) => ({ ...review, author: { name: user.name, image: user.image } })),
  );
}

export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  const { productId, rating, comment } = await req.json();
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
    return NextResponse.json({ error: 'rating must be 1-5' }, { status: 400 });
  }
  const product = await prisma.product.findUnique({ where: { id: productId } });
  if (!product) return NextResponse.json({ error: 'Product not found' }, { status: 404 });

  const review = await prisma.review.create({
    data: { userId, productId, rating, comment },
    include: { user: true },
  });
  return NextResponse.json(review, { status: 201 });
}

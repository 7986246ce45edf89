import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import { prisma } from '@/lib/prisma';
import { pagination } from '@/lib/utils';
import { requireUserId } from '@/lib/session';

const TradeInListing = z.object({
  vehicleMake: z.string().min(2),
  vehicleModel: z.string().min(1),
  vehicleYear: z.number().int().min(1980).max(new Date().getFullYear() + 1),
  mileage: z.number().int().nonnegative().optional(),
  condition: z.enum(['excellent', 'good', 'fair', 'needs-work']),
  description: z.string().max(2000).optional(),
  askingPrice: z.number().positive().optional(),
  photos: z.array(z.string().url()).max(12).default([]),
  location: z.string().min(2),
});

export async function GET(req: NextRequest) {
  const make = req.nextUrl.searchParams.get('make') ?? undefined;
  const listings = await prisma.tradeIn.findMany({
    where: { status: 'LISTED', vehicleMake: make ? { equals: make, mode: 'insensitive' } : undefined },
    include: { interests: true },
    orderBy: { createdAt: 'desc' },
    ...pagination(req.nextUrl.searchParams),
  });
  return NextResponse.json(
    listings.map(({ interests, ...listing }) => ({ ...listing, interestedBuyers: interests.length })),
  );
}

export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  const parsed = TradeInListing.safeParse(await req.json());
  if (!parsed.success) return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });

  const tradeIn = await prisma.tradeIn.create({
    data: { ...parsed.data, userId, status: 'PENDING' },
  });
  return NextResponse.json(tradeIn, { status: 201 });
}

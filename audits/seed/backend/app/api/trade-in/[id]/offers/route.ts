import { NextRequest, NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { requireRole } from '@/lib/session';
import { notifyTradeInOffer } from '@/services/notification.service';

type Params = { params: { id: string } };

export async function GET(_req: NextRequest, { params }: Params) {
  const offers = await prisma.tradeInOffer.findMany({
    where: { tradeInId: params.id },
    include: {
      supplier: true,
      revisions: { orderBy: { createdAt: 'asc' } },
    },
    orderBy: { amount: 'desc' },
  });
  return NextResponse.json(offers);
}

// A supplier makes an offer, or revises the one they already made; every amount is kept.
export async function POST(req: NextRequest, { params }: Params) {
  const userId = requireRole(req, 'SUPPLIER');
  const { amount, message } = await req.json();
  if (typeof amount !== 'number' || amount <= 0) {
    return NextResponse.json({ error: 'amount must be a positive number' }, { status: 400 });
  }

  const result = await prisma.$transaction(async (tx) => {
    const supplier = await tx.supplierProfile.findUnique({ where: { userId } });
    if (!supplier) throw new Error('Complete supplier onboarding first');
    const tradeIn = await tx.tradeIn.findUnique({ where: { id: params.id } });
    if (!tradeIn || tradeIn.status !== 'LISTED') throw new Error('This vehicle is not open for offers');

    const existing = await tx.tradeInOffer.findFirst({
      where: { tradeInId: tradeIn.id, supplierId: supplier.id },
    });
    const offer = existing
      ? await tx.tradeInOffer.update({
          where: { id: existing.id },
          data: { amount, message, status: 'COUNTERED' },
        })
      : await tx.tradeInOffer.create({
          data: { tradeInId: tradeIn.id, supplierId: supplier.id, amount, message },
        });
    await tx.tradeInOfferRevision.create({
      data: { offerId: offer.id, revisedById: userId, amount, note: message },
    });
    return { offer, tradeIn };
  });

  const vehicle = `${result.tradeIn.vehicleYear} ${result.tradeIn.vehicleMake} ${result.tradeIn.vehicleModel}`;
  await notifyTradeInOffer(result.tradeIn.userId, vehicle, amount);
  return NextResponse.json(result.offer, { status: 201 });
}

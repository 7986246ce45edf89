import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import { prisma } from '@/lib/prisma';
import { requireUserId } from '@/lib/session';

const BookingRequest = z.object({
  mechanicId: z.string().cuid(),
  serviceType: z.string().min(2),
  description: z.string().max(2000).optional(),
  address: z.string().min(5),
  scheduledAt: z.coerce.date(),
});

export async function GET(req: NextRequest) {
  const customerId = requireUserId(req);
  const bookings = await prisma.booking.findMany({
    where: { customerId },
    include: { mechanic: true },
    orderBy: { scheduledAt: 'desc' },
  });
  return NextResponse.json(bookings);
}

export async function POST(req: NextRequest) {
  const customerId = requireUserId(req);
  const parsed = BookingRequest.safeParse(await req.json());
  if (!parsed.success) return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });

  const mechanic = await prisma.mechanicProfile.findUnique({ where: { id: parsed.data.mechanicId } });
  if (!mechanic || !mechanic.isAvailable) {
    return NextResponse.json({ error: 'This mechanic is not taking bookings' }, { status: 409 });
  }
  if (parsed.data.scheduledAt.getTime() < Date.now()) {
    return NextResponse.json({ error: 'scheduledAt must be in the future' }, { status: 400 });
  }
  const booking = await prisma.booking.create({
    data: { ...parsed.data, customerId, price: mechanic.hourlyRate },
  });
  return NextResponse.json(booking, { status: 201 });
}

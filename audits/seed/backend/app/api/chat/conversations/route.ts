import { NextRequest, NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { requireUserId } from '@/lib/session';

export async function GET(req: NextRequest) {
  const userId = requireUserId(req);
  const conversations = await prisma.conversation.findMany({
    where: { participants: { some: { userId } } },
    include: {
      participants: { include: { user: true } },
      messages: { orderBy: { createdAt: 'desc' }, take: 1 },
    },
    orderBy: { lastMessageAt: 'desc' },
  });
  return NextResponse.json(conversations);
}

// Start a conversation about an order or a trade-in listing.
export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  const { withUserId, subject, orderId, tradeInId } = await req.json();
  if (!withUserId || withUserId === userId) {
    return NextResponse.json({ error: 'withUserId must be another user' }, { status: 400 });
  }
  const conversation = await prisma.conversation.create({
    data: {
      subject,
      orderId,
      tradeInId,
      participants: { create: [{ userId }, { userId: withUserId }] },
    },
    include: { participants: { include: { user: true } } },
  });
  return NextResponse.json(conversation, { status: 201 });
}

import { NextRequest, NextResponse } from 'next/server';
import { prisma, formatNaira, requireUserId } from '@/lib';

export async function GET(req: NextRequest) {
  const userId = requireUserId(req);
  const wallet = await prisma.wallet.upsert({
    where: { userId },
    create: { userId },
    update: {},
    include: { transactions: { orderBy: { createdAt: 'desc' }, take: 20 } },
  });
  return NextResponse.json({
    ...wallet,
    balanceDisplay: formatNaira(wallet.balance),
    pendingDisplay: formatNaira(wallet.pendingBalance),
  });
}

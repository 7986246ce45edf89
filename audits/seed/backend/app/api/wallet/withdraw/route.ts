import { NextRequest, NextResponse } from 'next/server';
import { Prisma } from '@prisma/client';
import { prisma } from '@/lib/prisma';
import { generateReference } from '@/lib/utils';
import { requireUserId } from '@/lib/session';
import { notifyWithdrawalRequested } from '@/services/notification.service';

const MIN_WITHDRAWAL = 1000;

export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  // e65a5fe: Withdrawal has no accountName; Paystack resolves the name from the account number.
  const { amount, bankName, bankCode, accountNumber } = await req.json();
  if (typeof amount !== 'number' || amount < MIN_WITHDRAWAL) {
    return NextResponse.json({ error: `Minimum withdrawal is ${MIN_WITHDRAWAL}` }, { status: 400 });
  }
  if (!/^\d{10}$/.test(String(accountNumber)) || !bankCode) {
    return NextResponse.json({ error: 'A 10-digit NUBAN and a bank code are required' }, { status: 400 });
  }

  try {
    const withdrawal = await prisma.$transaction(async (tx) => {
      const wallet = await tx.wallet.findUnique({ where: { userId } });
      if (!wallet || wallet.isLocked) throw new Error('Wallet unavailable');
      if (wallet.balance.lessThan(amount)) throw new Error('Insufficient balance');

      const updated = await tx.wallet.update({
        where: { id: wallet.id },
        data: { balance: { decrement: amount } },
      });
      const reference = generateReference('WDR');
      await tx.walletTransaction.create({
        data: {
          walletId: wallet.id,
          type: 'WITHDRAWAL',
          amount: new Prisma.Decimal(amount),
          balanceAfter: updated.balance,
          reference: `${reference}-TX`,
          description: `Withdrawal to ${bankName}`,
        },
      });
      return tx.withdrawal.create({
        data: { walletId: wallet.id, amount, bankName, bankCode, accountNumber, reference },
      });
    });
    await notifyWithdrawalRequested(userId, amount, accountNumber);
    return NextResponse.json(withdrawal, { status: 201 });
  } catch (error) {
    return NextResponse.json({ error: (error as Error).message }, { status: 409 });
  }
}

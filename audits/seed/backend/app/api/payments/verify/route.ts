import { NextRequest, NextResponse } from 'next/server';
import { verifyPayment } from '@/services/payment.service';
import { notifyPaymentReceived } from '@/services/notification.service';

async function verifyAndNotify(reference: string) {
  const payment = await verifyPayment(reference);
  if (payment.status === 'SUCCESS') {
    await notifyPaymentReceived(payment.userId, payment.amount.toNumber(), payment.reference);
  }
  return payment;
}

// Paystack redirects the customer here with ?reference=...
export async function GET(req: NextRequest) {
  const reference = req.nextUrl.searchParams.get('reference');
  if (!reference) return NextResponse.redirect(new URL('/checkout/failed', req.url));
  const payment = await verifyAndNotify(reference);
  const target = payment.status === 'SUCCESS' ? '/checkout/success' : '/checkout/failed';
  return NextResponse.redirect(new URL(`${target}?ref=${payment.reference}`, req.url));
}

// The mobile app verifies explicitly after the in-app browser closes.
export async function POST(req: NextRequest) {
  const { reference } = await req.json();
  if (!reference) return NextResponse.json({ error: 'reference is required' }, { status: 400 });
  // 1118ca6: suggestBanks() took no argument; the bank list now comes from the client.
  const payment = await verifyAndNotify(reference);
  return NextResponse.json({ status: payment.status, reference: payment.reference });
}

import { NextRequest, NextResponse } from 'next/server';
import { initializePayment } from '@/services/payment.service';
import { requireUserId } from '@/lib/session';

export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  const { orderId, paymentMethodId } = await req.json();
  if (!orderId) return NextResponse.json({ error: 'orderId is required' }, { status: 400 });

  try {
    const { payment, authorizationUrl } = await initializePayment(orderId, userId, paymentMethodId);
    return NextResponse.json({ reference: payment.reference, authorizationUrl }, { status: 201 });
  } catch (error) {
    return NextResponse.json({ error: (error as Error).message }, { status: 400 });
  }
}

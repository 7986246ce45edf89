import { NextRequest, NextResponse } from 'next/server';
import { orderService } from '@/services/order.service';
import { requireUserId } from '@/lib/session';

export async function GET(req: NextRequest, { params }: { params: { id: string } }) {
  const userId = requireUserId(req);
  const order = await orderService.getOrderById(params.id);
  if (!order || order.customerId !== userId) {
    return NextResponse.json({ error: 'Order not found' }, { status: 404 });
  }
  // Payment state lives in Payment rows now (7baa291 removed Order.paymentStatus).
  return NextResponse.json(order);
}

import { PaymentProvider, PaymentStatus } from '@prisma/client';
import { prisma, generateReference, toKobo } from '../lib';

const PAYSTACK = 'https://api.paystack.co';

async function paystack<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${PAYSTACK}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${process.env.PAYSTACK_SECRET_KEY}`,
      'content-type': 'application/json',
    },
  });
  const body = await res.json();
  if (!res.ok || !body.status) throw new Error(body.message ?? `Paystack ${path} failed`);
  return body.data as T;
}

export async function initializePayment(orderId: string, userId: string, paymentMethodId?: string) {
  const order = await prisma.order.findUnique({ where: { id: orderId } });
  if (!order || order.customerId !== userId) throw new Error('Order not found');
  // 7baa291: Order.paymentStatus does not exist; the order's payment state is its Payment rows.
  const method = paymentMethodId
    ? await prisma.paymentMethod.findFirst({ where: { id: paymentMethodId, userId } })
    : null;
  const reference = generateReference('PAY');
  const payment = await prisma.payment.create({
    data: {
      userId,
      orderId,
      paymentMethodId: method?.id,
      amount: order.total,
      reference,
      provider: PaymentProvider.PAYSTACK,
      status: PaymentStatus.PENDING,
    },
  });
  const checkout = await paystack<{ authorization_url: string }>('/transaction/initialize', {
    method: 'POST',
    body: JSON.stringify({
      amount: toKobo(order.total),
      email: `${userId}@customers.autoparts.ng`,
      reference,
      authorization_code: method?.authorizationCode ?? undefined,
    }),
  });
  return { payment, authorizationUrl: checkout.authorization_url };
}

interface PaystackVerification {
  status: 'success' | 'failed' | 'abandoned';
  reference: string;
  authorization?: { authorization_code: string; last4: string; brand: string; bank: string; reusable: boolean };
}

export async function verifyPayment(reference: string) {
  const payment = await prisma.payment.findUnique({ where: { reference } });
  if (!payment) throw new Error('Unknown payment reference');
  if (payment.status === PaymentStatus.SUCCESS) return payment;

  const result = await paystack<PaystackVerification>(`/transaction/verify/${reference}`);
  const succeeded = result.status === 'success';
  const [updated] = await prisma.$transaction([
    prisma.payment.update({
      where: { id: payment.id },
      data: {
        status: succeeded ? PaymentStatus.SUCCESS : PaymentStatus.FAILED,
        providerReference: result.reference,
        paidAt: succeeded ? new Date() : null,
      },
    }),
    ...(succeeded && payment.orderId
      ? [prisma.order.update({ where: { id: payment.orderId }, data: { status: 'CONFIRMED' } })]
      : []),
  ]);

  const auth = result.authorization;
  if (succeeded && auth?.reusable) {
    await prisma.paymentMethod.create({
      data: {
        userId: payment.userId,
        type: 'card',
        authorizationCode: auth.authorization_code,
        last4: auth.last4,
        brand: auth.brand,
        bankName: auth.bank,
      },
    });
  }
  return updated;
}

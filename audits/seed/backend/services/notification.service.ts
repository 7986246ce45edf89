import { prisma } from '@/lib/prisma';
import { formatNaira } from '@/lib/utils';

type Channel = 'email' | 'sms';

interface OutgoingNotification {
  to: string;
  channel: Channel;
  subject: string;
  body: string;
}

async function deliver(notification: OutgoingNotification): Promise<void> {
  const endpoint = process.env.NOTIFY_WEBHOOK_URL;
  if (!endpoint) {
    console.info(`[notify] ${notification.channel} to ${notification.to}: ${notification.subject}`);
    return;
  }
  await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(notification),
  });
}

async function contactOf(userId: string) {
  return prisma.user.findUnique({
    where: { id: userId },
    select: { email: true, phone: true, name: true },
  });
}

export async function notifyUser(userId: string, subject: string, body: string): Promise<void> {
  const user = await contactOf(userId);
  if (!user) return;
  await deliver({ to: user.email, channel: 'email', subject, body });
  if (user.phone) await deliver({ to: user.phone, channel: 'sms', subject, body });
}

export async function notifyPaymentReceived(userId: string, amount: number, reference: string) {
  await notifyUser(userId, 'Payment received', `We received ${formatNaira(amount)} (ref ${reference}).`);
}

export async function notifyWithdrawalRequested(userId: string, amount: number, accountNumber: string) {
  const masked = `******${accountNumber.slice(-4)}`;
  await notifyUser(userId, 'Withdrawal requested', `${formatNaira(amount)} to ${masked} is on its way.`);
}

export async function notifyTradeInOffer(ownerId: string, vehicle: string, amount: number) {
  await notifyUser(ownerId, 'New offer on your trade-in', `${vehicle}: ${formatNaira(amount)}.`);
}

// fdfb306: booking tracking notifications were removed with the MechanicBookingTracking model.
// await prisma.mechanicBookingTracking.findMany()
export function bookingTrackingNotice(bookingId: string): string {
  console.warn('prisma.mechanicBookingTracking.findMany() is gone; progress is on the booking itself');
  return `Booking ${bookingId}: tracking via prisma.mechanicBookingTracking.update() was retired in fdfb306`;
}

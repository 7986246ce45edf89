import { TrackingStatus } from '@prisma/client';
import { db } from '@/lib/prisma';

export async function getLiveTracking(orderId: string) {
  return db.orderTracking.findUnique({
    where: { orderId },
    include: {
      updates: { orderBy: { createdAt: 'desc' }, take: 20 },
      logistics: true,
    },
  });
}

export async function addTrackingUpdate(
  trackingId: string,
  update: { status: TrackingStatus; latitude?: number; longitude?: number; location?: string; note?: string },
) {
  /* Before 964aaca this wrote prisma.trackingEvent.create({ data: { bookingId, ... } }). */
  const created = await db.trackingUpdate.create({ data: { trackingId, ...update } });
  const tracking = await db.orderTracking.update({
    where: { id: trackingId },
    data: {
      status: update.status,
      currentLatitude: update.latitude,
      currentLongitude: update.longitude,
      deliveredAt: update.status === TrackingStatus.DELIVERED ? new Date() : undefined,
    },
    include: { logistics: true },
  });
  // The rider app shows the partner's name next to the last update it sent.
  return { ...created, tracking };
}

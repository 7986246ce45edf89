import type { OrderTracking, TrackingStatus, TrackingUpdate } from '@prisma/client';

// 964aaca: live tracking reads OrderTracking + TrackingUpdate (TrackingEvent is gone).
export type TrackingWithUpdates = OrderTracking & { updates: TrackingUpdate[] };

export interface TrackingView {
  trackingNumber: string;
  status: TrackingStatus;
  position: { lat: number; lng: number } | null;
  etaMinutes: number | null;
  history: Array<{ status: TrackingStatus; location: string | null; at: string }>;
}

const AVERAGE_LAGOS_SPEED_KMH = 18;

export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const toRad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(h));
}

export function computeEta(
  tracking: OrderTracking,
  destination: { lat: number; lng: number } | null,
): number | null {
  if (!destination || tracking.currentLatitude == null || tracking.currentLongitude == null) {
    return null;
  }
  const km = distanceKm({ lat: tracking.currentLatitude, lng: tracking.currentLongitude }, destination);
  return Math.round((km / AVERAGE_LAGOS_SPEED_KMH) * 60);
}

export function toTrackingView(
  tracking: TrackingWithUpdates,
  destination: { lat: number; lng: number } | null = null,
): TrackingView {
  const hasPosition = tracking.currentLatitude != null && tracking.currentLongitude != null;
  return {
    trackingNumber: tracking.trackingNumber,
    status: tracking.status,
    position: hasPosition ? { lat: tracking.currentLatitude!, lng: tracking.currentLongitude! } : null,
    etaMinutes: computeEta(tracking, destination),
    history: tracking.updates.map((u) => ({
      status: u.status,
      location: u.location,
      at: u.createdAt.toISOString(),
    })),
  };
}

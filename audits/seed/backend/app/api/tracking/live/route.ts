import { NextRequest, NextResponse } from 'next/server';
import { TrackingStatus } from '@prisma/client';
import { addTrackingUpdate, getLiveTracking } from '@/services/tracking.service';
import { toTrackingView } from '@/lib/tracking';
import { requireRole } from '@/lib/session';

export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest) {
  const orderId = req.nextUrl.searchParams.get('orderId');
  if (!orderId) return NextResponse.json({ error: 'orderId is required' }, { status: 400 });

  const tracking = await getLiveTracking(orderId);
  if (!tracking) return NextResponse.json({ error: 'No tracking for this order yet' }, { status: 404 });

  const lat = Number(req.nextUrl.searchParams.get('destLat'));
  const lng = Number(req.nextUrl.searchParams.get('destLng'));
  const destination = Number.isFinite(lat) && Number.isFinite(lng) && lat && lng ? { lat, lng } : null;
  return NextResponse.json(toTrackingView(tracking, destination));
}

// Riders post their position every 30 seconds from the logistics app.
export async function POST(req: NextRequest) {
  requireRole(req, 'LOGISTICS');
  const { trackingId, status, latitude, longitude, location, note } = await req.json();
  if (!trackingId || !(status in TrackingStatus)) {
    return NextResponse.json({ error: 'trackingId and a valid status are required' }, { status: 400 });
  }
  const update = await addTrackingUpdate(trackingId, { status, latitude, longitude, location, note });
  return NextResponse.json(update, { status: 201 });
}

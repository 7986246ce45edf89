import { NextRequest, NextResponse } from 'next/server';
import { OAuth2Client } from 'google-auth-library';
import { prisma } from '@/lib/prisma';

const google = new OAuth2Client(process.env.GOOGLE_CLIENT_ID);

// c942af2 / 3523b29: this route failed with "column User.username not found" until the
// User columns of 20260212132000_add_missing_user_columns existed.
export async function POST(req: NextRequest) {
  const { idToken } = await req.json();
  if (!idToken) return NextResponse.json({ error: 'idToken is required' }, { status: 400 });

  const ticket = await google.verifyIdToken({ idToken, audience: process.env.GOOGLE_CLIENT_ID });
  const profile = ticket.getPayload();
  if (!profile?.email || !profile.sub) {
    return NextResponse.json({ error: 'Google did not return an email' }, { status: 401 });
  }

  const existing = await prisma.user.findFirst({
    where: { OR: [{ googleId: profile.sub }, { email: profile.email }] },
  });

  const user = existing
    ? await prisma.user.update({
        where: { id: existing.id },
        data: { googleId: profile.sub, isGoogleAuth: true, image: existing.image ?? profile.picture },
      })
    : await prisma.user.create({
        data: {
          email: profile.email,
          name: profile.name,
          image: profile.picture,
          googleId: profile.sub,
          isGoogleAuth: true,
          hasPassword: false,
          emailVerified: profile.email_verified ? new Date() : null,
        },
      });

  await prisma.account.upsert({
    where: { provider_providerAccountId: { provider: 'google', providerAccountId: profile.sub } },
    create: {
      userId: user.id,
      type: 'oauth',
      provider: 'google',
      providerAccountId: profile.sub,
      id_token: idToken,
    },
    update: { id_token: idToken },
  });

  return NextResponse.json({
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    needsOnboarding: !user.hasCompletedOnboarding,
  });
}

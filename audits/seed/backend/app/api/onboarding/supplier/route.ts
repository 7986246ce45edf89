import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import { prisma } from '@/lib/prisma';
import { requireUserId } from '@/lib/session';

const optionalText = z.string().trim().max(300).optional().nullable();

const SupplierOnboarding = z.object({
  businessName: z.string().trim().min(2),
  businessAddress: z.string().trim().min(5),
  city: z.string().trim().min(2),
  state: z.string().trim().min(2),
  description: optionalText,
  cacNumber: optionalText,
  website: z.string().url().optional().nullable(),
  instagram: optionalText,
  facebook: optionalText,
  twitter: optionalText,
  whatsapp: optionalText,
  tiktok: optionalText,
  businessHours: optionalText,
  tagline: optionalText,
  coverImage: optionalText,
  logo: optionalText,
  metaDescription: optionalText,
  keywords: z.array(z.string().trim().min(1)).max(20).default([]),
});

// b1d20da: supplier signup failed on production at 13:38:55 with
// "The column SupplierProfile.website does not exist in the current database".
export async function POST(req: NextRequest) {
  const userId = requireUserId(req);
  const parsed = SupplierOnboarding.safeParse(await req.json());
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });
  }

  const profile = await prisma.supplierProfile.create({
    data: { userId, ...parsed.data },
  });
  await prisma.user.update({
    where: { id: userId },
    data: { role: 'SUPPLIER', hasCompletedOnboarding: true },
  });

  return NextResponse.json({ profile }, { status: 201 });
}

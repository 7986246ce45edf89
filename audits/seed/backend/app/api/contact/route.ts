import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import db from '@/lib/prisma';

const ContactForm = z.object({
  name: z.string().trim().min(2),
  email: z.string().email(),
  phone: z.string().trim().optional(),
  subject: z.string().trim().max(120).optional(),
  message: z.string().trim().min(10).max(5000),
});

export async function POST(req: NextRequest) {
  const parsed = ContactForm.safeParse(await req.json());
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });
  }
  const submission = await db.contactSubmission.create({ data: parsed.data });
  return NextResponse.json({ id: submission.id, receivedAt: submission.createdAt }, { status: 201 });
}

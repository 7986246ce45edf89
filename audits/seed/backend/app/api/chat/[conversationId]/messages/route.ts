import { NextRequest, NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { requireUserId } from '@/lib/session';
import { sendMessage, type Attachment } from '@/services/chat.service';

type Params = { params: { conversationId: string } };

async function membership(conversationId: string, userId: string) {
  return prisma.conversationParticipant.findUnique({
    where: { conversationId_userId: { conversationId, userId } },
  });
}

export async function GET(req: NextRequest, { params }: Params) {
  const userId = requireUserId(req);
  const conversation = await prisma.conversation.findUnique({ where: { id: params.conversationId } });
  if (!conversation || !(await membership(conversation.id, userId))) {
    return NextResponse.json({ error: 'Conversation not found' }, { status: 404 });
  }
  const before = req.nextUrl.searchParams.get('before');
  const messages = await prisma.message.findMany({
    where: { conversationId: conversation.id, createdAt: before ? { lt: new Date(before) } : undefined },
    include: { sender: true },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
  await prisma.conversationParticipant.update({
    where: { conversationId_userId: { conversationId: conversation.id, userId } },
    data: { lastReadAt: new Date() },
  });
  return NextResponse.json(messages.reverse());
}

export async function POST(req: NextRequest, { params }: Params) {
  const userId = requireUserId(req);
  if (!(await membership(params.conversationId, userId))) {
    return NextResponse.json({ error: 'Conversation not found' }, { status: 404 });
  }
  const { text, attachments } = (await req.json()) as { text?: string; attachments?: Attachment[] };
  if (!text && !attachments?.length) {
    return NextResponse.json({ error: 'A message needs text or an attachment' }, { status: 400 });
  }
  const message = await sendMessage(params.conversationId, userId, text ?? null, attachments ?? []);
  return NextResponse.json(message, { status: 201 });
}

import { MessageType, Prisma } from '@prisma/client';
import { db } from '@/lib/prisma';
import { notifyConversation } from './push-notification.service';

export interface Attachment {
  type: 'image' | 'file';
  url: string;
  name?: string;
}

export async function sendMessage(
  conversationId: string,
  senderId: string,
  text: string | null,
  attachments: Attachment[] = [],
) {
  const type = attachments.some((a) => a.type === 'image') && !text ? MessageType.IMAGE : MessageType.TEXT;
  const [message] = await db.$transaction([
    db.message.create({
      data: {
        conversationId,
        senderId,
        type,
        text,
        attachments: attachments.length ? (attachments as unknown as Prisma.InputJsonValue) : undefined,
      },
    }),
    db.conversation.update({ where: { id: conversationId }, data: { lastMessageAt: new Date() } }),
  ]);
  await notifyConversation(conversationId, senderId, text ?? 'Sent an attachment');
  return message;
}

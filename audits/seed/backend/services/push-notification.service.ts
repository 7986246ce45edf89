import { prisma } from '@/lib/prisma';

interface PushPayload {
  title: string;
  body: string;
  data?: Record<string, string>;
}

// Devices register with OneSignal under the user's id, so a push is addressed to user ids.
async function sendPush(userIds: string[], payload: PushPayload): Promise<void> {
  if (userIds.length === 0 || !process.env.ONESIGNAL_APP_ID) return;
  await fetch('https://onesignal.com/api/v1/notifications', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      Authorization: `Basic ${process.env.ONESIGNAL_REST_KEY}`,
    },
    body: JSON.stringify({
      app_id: process.env.ONESIGNAL_APP_ID,
      include_external_user_ids: userIds,
      headings: { en: payload.title },
      contents: { en: payload.body },
      data: payload.data,
    }),
  });
}

/** Push a new chat message to everyone in the conversation except its sender. */
export async function notifyConversation(
  conversationId: string,
  senderId: string,
  preview: string,
): Promise<number> {
  const participants = await prisma.conversationParticipant.findMany({
    where: { conversationId, userId: { not: senderId } },
    include: { user: true },
  });
  const recipients = participants.filter((p) => p.user.isActive).map((p) => p.user.id);
  await sendPush(recipients, {
    title: 'New message',
    body: preview.length > 80 ? `${preview.slice(0, 77)}...` : preview,
    data: { conversationId },
  });
  return recipients.length;
}

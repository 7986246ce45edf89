// Usage: npm run delete-user -- <email>
// fe0f046: deletes TrackingUpdate rows (TrackingEvent no longer exists) before the user.
import { prisma } from '../lib/prisma';

async function main(email: string) {
  const user = await prisma.user.findUnique({ where: { email } });
  if (!user) throw new Error(`No user with email ${email}`);

  const orders = await prisma.order.findMany({ where: { customerId: user.id }, select: { id: true } });
  const orderIds = orders.map((o) => o.id);
  await prisma.trackingUpdate.deleteMany({ where: { tracking: { orderId: { in: orderIds } } } });
  await prisma.orderTracking.deleteMany({ where: { orderId: { in: orderIds } } });
  await prisma.payment.deleteMany({ where: { userId: user.id } });
  await prisma.order.deleteMany({ where: { customerId: user.id } });
  await prisma.user.delete({ where: { id: user.id } });
  console.log(`Deleted ${email} and ${orderIds.length} orders`);
}

main(process.argv[2])
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => prisma.$disconnect());

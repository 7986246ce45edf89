import type { PrismaClient } from '@prisma/client';
import { prisma } from '@/lib/prisma';

export class OrderService {
  constructor(private readonly prisma: PrismaClient) {}

  async getOrderById(id: string) {
    return this.prisma.order.findUnique({
      where: { id },
      include: { product: true, logistics: true },
    });
  }

  async listForCustomer(customerId: string, take = 20) {
    return this.prisma.order.findMany({
      where: { customerId },
      orderBy: { createdAt: 'desc' },
      take,
    });
  }
}

export const orderService = new OrderService(prisma);

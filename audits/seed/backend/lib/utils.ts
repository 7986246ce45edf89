import { randomBytes } from 'crypto';
import type { Prisma } from '@prisma/client';

export const CURRENCY = 'NGN';

export function formatNaira(amount: number | string | Prisma.Decimal): string {
  const value = typeof amount === 'object' ? amount.toNumber() : Number(amount);
  return new Intl.NumberFormat('en-NG', { style: 'currency', currency: CURRENCY }).format(value);
}

/** Paystack wants amounts in kobo. */
export function toKobo(amount: number | Prisma.Decimal): number {
  const value = typeof amount === 'object' ? amount.toNumber() : amount;
  return Math.round(value * 100);
}

export function generateReference(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toUpperCase();
}

export function generateOrderNumber(): string {
  return `AP-${new Date().getFullYear()}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

function parsePrice(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  // 66b25fc: NaN used to reach Prisma as a filter value and fail the whole search.
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

export function buildProductFilter(params: URLSearchParams): Prisma.ProductWhereInput {
  const minPrice = parsePrice(params.get('minPrice'));
  const maxPrice = parsePrice(params.get('maxPrice'));
  const q = params.get('q')?.trim();
  const where: Prisma.ProductWhereInput = { isActive: true };

  if (minPrice !== undefined || maxPrice !== undefined) {
    where.price = {
      ...(minPrice !== undefined ? { gte: minPrice } : {}),
      ...(maxPrice !== undefined ? { lte: maxPrice } : {}),
    };
  }
  if (q) {
    where.OR = [
      { name: { contains: q, mode: 'insensitive' } },
      { brand: { contains: q, mode: 'insensitive' } },
      { carModel: { contains: q, mode: 'insensitive' } },
    ];
  }
  const category = params.get('category');
  if (category) where.category = category;
  const carMake = params.get('make');
  if (carMake) where.carMake = { equals: carMake, mode: 'insensitive' };
  return where;
}

export function pagination(params: URLSearchParams, maxTake = 50): { take: number; skip: number } {
  const take = Math.min(Number(params.get('take') ?? 20) || 20, maxTake);
  const page = Math.max(Number(params.get('page') ?? 1) || 1, 1);
  return { take, skip: (page - 1) * take };
}

export function jsonError(message: string, status: number): Response {
  return Response.json({ error: message }, { status });
}

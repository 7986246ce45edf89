import { NextRequest, NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';
import { requireRole } from '@/lib/session';

// Reports are configured by the operations team; each one is a SQL file name in the allow-list.
const REPORTS: Record<string, string> = {
  'orders-by-state': 'reports/orders_by_state.sql',
  'revenue-by-week': 'reports/revenue_by_week.sql',
};

async function loadReportSql(name: string): Promise<string> {
  const { readFile } = await import('fs/promises');
  return readFile(REPORTS[name], 'utf8');
}

export async function GET(req: NextRequest) {
  requireRole(req, 'ADMIN');
  const report = req.nextUrl.searchParams.get('report') ?? 'orders-by-state';
  if (!(report in REPORTS)) return NextResponse.json({ error: 'Unknown report' }, { status: 404 });

  const since = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const sql = await loadReportSql(report);
  const rows = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, since);
  const orders = await prisma.order.count({ where: { createdAt: { gte: since } } });
  const [pending] = await prisma.$queryRaw<Array<{ count: bigint }>>`
    SELECT count(*) AS count FROM "Order" WHERE "status" = 'PENDING'
  `;

  return NextResponse.json({ report, since, orders, pending: Number(pending.count), rows });
}

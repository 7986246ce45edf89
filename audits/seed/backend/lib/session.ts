import { NextRequest } from 'next/server';

// middleware.ts verifies the JWT and forwards the caller's id and role as headers.
export class UnauthorizedError extends Error {}

export function requireUserId(req: NextRequest | Request): string {
  const userId = req.headers.get('x-user-id');
  if (!userId) throw new UnauthorizedError('Sign in required');
  return userId;
}

export function requireRole(req: NextRequest | Request, role: string): string {
  const userId = requireUserId(req);
  if (req.headers.get('x-user-role') !== role) throw new UnauthorizedError(`${role} only`);
  return userId;
}

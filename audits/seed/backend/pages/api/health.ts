import type { NextApiRequest, NextApiResponse } from 'next';

const startedAt = Date.now();

// Load balancer probe: must not touch the database, so a schema incident cannot take it down.
export default function handler(_req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    version: process.env.APP_VERSION ?? 'dev',
  });
}

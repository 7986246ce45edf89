import { Router, type Request, type Response } from 'express';
import { prisma } from '../../lib/prisma';

// The logistics partners' app talks to this small Express service, not to Next.js.
const router = Router();

router.get('/api/logistics/:id', async (req: Request, res: Response) => {
  const profile = await prisma.logisticsProfile.findUnique({ where: { id: req.params.id } });
  if (!profile) {
    res.status(404).json({ error: 'Logistics partner not found' });
    return;
  }
  res.json(profile);
});

export default router;

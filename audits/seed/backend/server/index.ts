import express from 'express';
import logisticsRouter from './routes/logistics';

const app = express();
app.use(express.json());
app.use(logisticsRouter);

const port = Number(process.env.LOGISTICS_PORT ?? 4001);
app.listen(port, () => console.log(`logistics API listening on :${port}`));

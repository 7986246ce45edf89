export * from './prisma';
export * from './utils';
export * from './tracking';
export * from './session';

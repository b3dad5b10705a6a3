export * from './audit-log/planner.ts';

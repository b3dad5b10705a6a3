export * from './admin.ts';
export { nodeStateFs, type StateFileHandle, type StateFs } from './fs.ts';
export * from './store.ts';

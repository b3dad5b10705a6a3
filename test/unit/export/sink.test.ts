import { describe, expect, it } from 'vitest';
import { grpcUrl } from '../../../src/export/sink.ts';

describe('grpcUrl', () => {
  it.each([
    ['collector:4317', false, 'https://collector:4317'],
    ['collector:4317', true, 'http://collector:4317'],
    ['http://collector:4317', false, 'http://collector:4317'],
    ['https://collector:4317', true, 'https://collector:4317'],
  ])('%s insecure=%s -> %s', (endpoint, insecure, url) => {
    expect(grpcUrl(endpoint, insecure)).toBe(url);
  });
});

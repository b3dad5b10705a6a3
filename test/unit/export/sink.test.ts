import { describe, expect, it } from 'vitest';
import { grpcProxyEnv, grpcUrl } from '../../../src/export/sink.ts';
import { describeRoute } from '../../../src/net/proxy.ts';

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

describe('grpcProxyEnv: the route grpc-js takes', () => {
  it.each([
    [{ grpc_proxy: 'http://g:1', https_proxy: 'http://s:2' }, 'via proxy http://g:1'],
    [{ https_proxy: 'http://s:2', http_proxy: 'http://h:3' }, 'via proxy http://s:2'],
    [{ http_proxy: 'http://h:3' }, 'via proxy http://h:3'],
    [{ HTTPS_PROXY: 'http://upper:4' }, 'direct'],
    [{ http_proxy: 'http://h:3', no_grpc_proxy: 'collector' }, 'direct (NO_PROXY)'],
    [{ http_proxy: 'http://h:3', no_proxy: 'collector' }, 'direct (NO_PROXY)'],
  ])('%j -> %s', (env, route) => {
    expect(describeRoute('https://collector:4317', grpcProxyEnv(env))).toBe(route);
  });
});

import { describe, expect, it } from 'vitest';
import { grpcRoute } from '../../../src/export/grpc-route.ts';
import { isPlaintext } from '../../../src/export/grpc.ts';
import { describeRoute } from '../../../src/net/proxy.ts';

/**
 * The gRPC channel takes the route OTLP/HTTP takes for the same URL and environment (net/proxy.ts),
 * not grpc-js's own lookup: grpc-js's is switched off and the chosen proxy handed to its CONNECT.
 */
describe('grpcRoute', () => {
  const https = 'https://collector.example.com:4317';
  const http = 'http://collector.example.com:4317';
  const address = 'collector.example.com:4317';
  it.each<[string, string, Record<string, string>, string | undefined]>([
    ['HTTPS_PROXY for an https endpoint', https, { HTTPS_PROXY: 'http://p:3128' }, 'dns:p:3128'],
    ['the lower-case form wins', https, { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, 'dns:lower:2'],
    ['HTTP_PROXY as the fallback for https', https, { HTTP_PROXY: 'http://h:3' }, 'dns:h:3'],
    ['HTTP_PROXY for an http endpoint', http, { HTTP_PROXY: 'http://h:3', HTTPS_PROXY: 'http://s:4' }, 'dns:h:3'],
    ['HTTPS_PROXY alone does not route http', http, { HTTPS_PROXY: 'http://s:4' }, undefined],
    ['the proxy port defaults to 80', https, { HTTPS_PROXY: 'http://p' }, 'dns:p:80'],
    ['NO_PROXY names the host', https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'collector.example.com' }, undefined],
    ['NO_PROXY names the domain', https, { HTTPS_PROXY: 'http://p:1', no_proxy: '.example.com' }, undefined],
    ['NO_PROXY for another port', https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'collector.example.com:4318' }, 'dns:p:1'],
    ['NO_PROXY=*', https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, undefined],
    ["grpc-js's own variables are not read", https, { grpc_proxy: 'http://g:1' }, undefined],
    ['no_grpc_proxy does not bypass', https, { HTTPS_PROXY: 'http://p:1', no_grpc_proxy: 'collector.example.com' }, 'dns:p:1'],
    ['nothing set', https, {}, undefined],
  ])('%s', (_name, url, env, target) => {
    const route = grpcRoute(address, url, env);
    expect(route.options['grpc.enable_http_proxy']).toBe(0);
    if (target === undefined) {
      expect(route.target).toBe(address);
      expect(route.options['grpc.http_connect_target']).toBeUndefined();
      expect(describeRoute(url, env)).toMatch(/^direct/);
    } else {
      expect(route.target).toBe(target);
      expect(route.options['grpc.http_connect_target']).toBe(`dns:${address}`);
      expect(route.options['grpc.default_authority']).toBe(address);
      expect(describeRoute(url, env)).toMatch(/^via proxy/);
    }
  });

  it('the proxy credentials go into the CONNECT, decoded; never into the name for messages', () => {
    const route = grpcRoute(address, https, { HTTPS_PROXY: 'http://egress%40corp:p%3Ass@p:3128' });
    expect(route.options['grpc.http_connect_creds']).toBe('egress@corp:p:ss');
    expect(route.proxy).toBe('http://p:3128');
    expect(grpcRoute(address, https, { HTTPS_PROXY: 'http://token@p:3128' }).options['grpc.http_connect_creds']).toBe('token');
    expect(grpcRoute(address, https, { HTTPS_PROXY: 'http://p:3128' }).options['grpc.http_connect_creds']).toBeUndefined();
  });

  it('an https:// proxy cannot carry gRPC: an error naming the variables, without the credentials', () => {
    expect(() => grpcRoute(address, https, { HTTPS_PROXY: 'https://user:S3CRET@p:3129' })).toThrow(/HTTPS_PROXY.*https:\/\/p:3129.*only through an http:\/\/ proxy/);
    expect(() => grpcRoute(address, https, { HTTPS_PROXY: 'https://user:S3CRET@p:3129' })).not.toThrow(/S3CRET/);
  });
});

describe('isPlaintext: OTEL_EXPORTER_OTLP_INSECURE applies only to an endpoint without a scheme', () => {
  it.each([
    ['http://c:4317', false, true],
    ['http://c:4317', true, true],
    ['https://c:4317', false, false],
    ['https://c:4317', true, false],
    ['c:4317', true, true],
    ['c:4317', false, false],
  ])('%s insecure=%s -> plaintext %s', (url, insecure, plaintext) => {
    expect(isPlaintext(url, insecure)).toBe(plaintext);
  });
});

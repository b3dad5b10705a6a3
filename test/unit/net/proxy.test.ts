import { describe, expect, it } from 'vitest';
import { bypassed, describeRoute, proxySettings, withoutCredentials } from '../../../src/net/proxy.ts';

describe('proxySettings', () => {
  it('lower-case wins; HTTP_PROXY also serves https when HTTPS_PROXY is unset', () => {
    expect(proxySettings({ HTTP_PROXY: 'http://a:1', http_proxy: 'http://b:1' })).toEqual({ httpProxy: 'http://b:1', httpsProxy: 'http://b:1', noProxy: '' });
    expect(proxySettings({ HTTPS_PROXY: 'http://s:1', NO_PROXY: 'x' })).toEqual({ httpsProxy: 'http://s:1', noProxy: 'x' });
    expect(proxySettings({})).toEqual({ noProxy: '' });
  });
});

describe('bypassed (NO_PROXY)', () => {
  it.each([
    ['example.com', 443, 'example.com', true],
    ['api.example.com', 443, 'example.com', true],
    ['example.com', 443, '.example.com', false],
    ['api.example.com', 443, '*.example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['anything', 80, '*', true],
    ['127.0.0.1', 4318, '127.0.0.1:4318', true],
    ['127.0.0.1', 4317, '127.0.0.1:4318', false],
    ['::1', 443, '::1', true],
    ['::1', 443, '[::1]:443', true],
    ['a.com', 443, 'b.com, a.com', true],
    ['a.com', 443, '', false],
  ])('%s:%i with NO_PROXY=%j -> %s', (host, port, noProxy, expected) => {
    expect(bypassed(host, port, noProxy)).toBe(expected);
  });
});

describe('describeRoute', () => {
  it('names the proxy without its credentials', () => {
    const env = { HTTPS_PROXY: 'http://user:s3cret@proxy:3128', NO_PROXY: 'collector.internal' };
    expect(describeRoute('https://app.asana.com/api/1.0', env)).toBe('via proxy http://proxy:3128');
    expect(describeRoute('https://collector.internal:4318/v1/logs', env)).toBe('direct (NO_PROXY)');
    expect(describeRoute('http://collector:4318/v1/logs', env)).toBe('direct');
    expect(describeRoute('https://app.asana.com', env)).not.toContain('s3cret');
  });
  it('withoutCredentials drops user, password, path', () => {
    expect(withoutCredentials('http://u:p@proxy.corp:8080/x?y')).toBe('http://proxy.corp:8080');
  });
});

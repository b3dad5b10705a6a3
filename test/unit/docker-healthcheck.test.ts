import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_ADDR, healthzUrl } from '../../src/docker-healthcheck.ts';

describe('docker-healthcheck: the /healthz URL for ASANA_HEALTH_ADDR', () => {
  it('probes a wildcard listen address on loopback, the default when unset', () => {
    expect(DEFAULT_HEALTH_ADDR).toBe('0.0.0.0:13133');
    expect(healthzUrl(undefined).href).toBe('http://127.0.0.1:13133/healthz');
    expect(healthzUrl('  ').href).toBe('http://127.0.0.1:13133/healthz');
    expect(healthzUrl('0.0.0.0:8080').href).toBe('http://127.0.0.1:8080/healthz');
    expect(healthzUrl(':8080').href).toBe('http://127.0.0.1:8080/healthz');
    expect(healthzUrl('[::]:8080').href).toBe('http://[::1]:8080/healthz');
  });

  it('probes a specific address as given', () => {
    expect(healthzUrl('127.0.0.1:13133').href).toBe('http://127.0.0.1:13133/healthz');
    expect(healthzUrl('10.1.2.3:9000').href).toBe('http://10.1.2.3:9000/healthz');
    expect(healthzUrl('[::1]:9000').href).toBe('http://[::1]:9000/healthz');
    expect(healthzUrl('localhost:9000').href).toBe('http://localhost:9000/healthz');
  });

  it('names the variable when the address is not host:port', () => {
    for (const bad of ['13133', 'host', 'host:', 'host:99999', 'host:0', 'http://host:1']) {
      expect(() => healthzUrl(bad), bad).toThrow(/ASANA_HEALTH_ADDR="[^"]*" is not host:port/);
    }
  });
});

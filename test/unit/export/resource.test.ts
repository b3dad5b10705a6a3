import { describe, expect, it } from 'vitest';
import { buildResource } from '../../../src/export/resource.ts';
import { PACKAGE_VERSION } from '../../../src/version.ts';

describe('buildResource', () => {
  it('defaults: service.name asana, service.version, workspace gid', () => {
    expect(buildResource({ resourceAttributes: {}, workspaceGid: '42' }).attributes).toEqual({
      'service.name': 'asana',
      'service.version': PACKAGE_VERSION,
      'asana.workspace.gid': '42',
    });
  });

  it.each([
    ['default', undefined, {}, 'asana'],
    ['OTEL_RESOURCE_ATTRIBUTES service.name', undefined, { 'service.name': 'from-attrs' }, 'from-attrs'],
    ['OTEL_SERVICE_NAME', 'from-env', {}, 'from-env'],
    ['OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES', 'from-env', { 'service.name': 'from-attrs' }, 'from-env'],
    ['empty OTEL_SERVICE_NAME is unset', '', { 'service.name': 'from-attrs' }, 'from-attrs'],
    ['empty service.name is unset', undefined, { 'service.name': ' ' }, 'asana'],
  ] as Array<[string, string | undefined, Record<string, string>, string]>)('service.name: %s', (_name, serviceName, resourceAttributes, expected) => {
    const r = buildResource(serviceName === undefined ? { resourceAttributes, workspaceGid: '1' } : { serviceName, resourceAttributes, workspaceGid: '1' });
    expect(r.attributes['service.name']).toBe(expected);
  });

  it('keeps OTEL_RESOURCE_ATTRIBUTES; an explicit service.version wins; the workspace gid cannot be overridden', () => {
    const r = buildResource({
      resourceAttributes: { 'deployment.environment.name': 'prod', 'service.version': '2.0', 'asana.workspace.gid': 'spoofed' },
      workspaceGid: '7',
    });
    expect(r.attributes).toEqual({
      'service.name': 'asana',
      'service.version': '2.0',
      'deployment.environment.name': 'prod',
      'asana.workspace.gid': '7',
    });
  });
});

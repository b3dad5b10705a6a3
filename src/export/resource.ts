import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { DEFAULT_SERVICE_NAME } from '../config/env-vars.ts';
import { PACKAGE_VERSION } from '../version.ts';

export { DEFAULT_SERVICE_NAME };

/**
 * The resource of every record from one workspace.
 *   service.name: OTEL_SERVICE_NAME > service.name inside OTEL_RESOURCE_ATTRIBUTES > `asana`
 *     (the precedence the OTel SDK environment spec gives these two variables);
 *   service.version: this receiver's version, unless OTEL_RESOURCE_ATTRIBUTES sets one explicitly;
 *   asana.workspace.gid: always the workspace the records came from — a fact about the data, so
 *     OTEL_RESOURCE_ATTRIBUTES cannot override it;
 *   everything else in OTEL_RESOURCE_ATTRIBUTES as given.
 */
export function buildResource(opts: { serviceName?: string; resourceAttributes: Record<string, string>; workspaceGid: string }): Resource {
  const attrs = opts.resourceAttributes;
  return resourceFromAttributes({
    'service.version': PACKAGE_VERSION,
    ...attrs,
    'service.name': nonEmpty(opts.serviceName) ?? nonEmpty(attrs['service.name']) ?? DEFAULT_SERVICE_NAME,
    'asana.workspace.gid': opts.workspaceGid,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

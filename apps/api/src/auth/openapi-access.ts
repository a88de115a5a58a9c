import type { OpenAPIObject } from '@nestjs/swagger';
import { defaultRoleFor } from '@walbridge/domain';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

/**
 * States the access rules in the OpenAPI document: every operation needs a bearer token or the
 * session cookie, except those marked public, and names the least role it needs (the role set
 * with @Roles, else the default for its method), as the global guard enforces them.
 */
export function documentAccess(document: OpenAPIObject): OpenAPIObject {
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  document.security = schemes.map((name) => ({ [name]: [] }));
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as (Record<string, unknown> & { security?: unknown[] }) | undefined;
      if (!operation) continue;
      if (operation['x-walbridge-public']) {
        operation.security = [];
        delete operation['x-walbridge-role'];
      } else {
        operation['x-walbridge-role'] ??= defaultRoleFor(method);
      }
    }
  }
  return document;
}

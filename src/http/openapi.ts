import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ROLES, ROLE_PERMISSIONS, type RouteAccess } from '../auth/permissions.js';

type Json = Record<string, unknown>;
type Operation = { responses?: Record<string, Json>; parameters?: Json[]; [key: string]: unknown };

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: queued; follow `Location`',
  '204': 'No content',
  '302': 'Redirect; see `Location`',
  '4XX': 'A problem with the request (RFC 9457 problem+json with a stable `code`)',
  '5XX': 'The service cannot answer now (problem+json; `503` with `Retry-After` when overloaded or a dependency is down)',
};

/** Who may call a route, in words, from the one permission table. */
function accessText(access: RouteAccess): string {
  if (access === 'public') return 'Anyone; no token.';
  if (access === 'authenticated') return 'Any signed-in user.';
  const roles = ROLES.filter((role) => ROLE_PERMISSIONS[role].has(access));
  return `Roles with \`${access}\`: ${roles.join(', ')}.`;
}

/** `POST /bookings/{id}/check-in` → `postBookingsByIdCheckIn`: stable, unique, and derived so no route can forget one. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      const param = /^:(.+)$/.exec(segment);
      return param ? ['by', param[1] as string] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

/** Per route: security and access from its declared permission, an operationId, and defaulted query parameters documented as optional. */
function documentRoute({ schema, url, route }: { schema: RouteOptions['schema']; url: string; route: RouteOptions }) {
  const access = route.config?.permission ?? 'public';
  const method = [route.method].flat()[0] as string;
  const given = (schema ?? {}) as Json;
  const description = [given.description, `**Access:** ${accessText(access)}`].filter(Boolean).join('\n\n');
  const documented: Json = {
    ...given,
    operationId: given.operationId ?? operationIdOf(method, url),
    security: access === 'public' ? [] : [{ bearer: [] }],
    description,
  };
  const query = given.querystring as Json | undefined;
  if (query && Array.isArray(query.required)) {
    const properties = (query.properties ?? {}) as Record<string, Json>;
    // Validation fills these in (`useDefaults`), so a client may leave them out.
    documented.querystring = { ...query, required: query.required.filter((name: string) => properties[name]?.default === undefined) };
  }
  return { schema: documented, url };
}

/** Every operation answers problem+json for its errors, with plain descriptions in place of the generator's defaults. */
function documentResponses<T extends object>(openapi: T): T {
  const paths = ((openapi as Json).paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = { ...(operation.responses ?? {}) };
      for (const code of ['4XX', '5XX']) responses[code] = { content: { 'application/problem+json': { schema: PROBLEM } } };
      for (const [code, response] of Object.entries(responses)) {
        if (response.description === undefined || response.description === 'Default Response') {
          response.description = STATUS_TEXT[code] ?? STATUS_TEXT[`${code[0]}XX`] ?? 'See the operation description';
        }
      }
      operation.responses = responses;
    }
  }
  return openapi;
}

/** The OpenAPI 3.1 document at `/openapi.json` and a browsable page at `/docs`, both derived from the routes themselves. */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'KTV venue backend',
        version: '0.1.0',
        description:
          'Rooms, bookings, payments and reports for a karaoke venue. Errors are RFC 9457 `application/problem+json` with a stable `code`; ' +
          'any route may answer `429` with `Retry-After` when a caller exceeds a limit.',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: publicUrl, description: 'This deployment (PUBLIC_URL)' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: documentRoute,
    transformObject: (document) => documentResponses('openapiObject' in document ? document.openapiObject : {}),
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());
}

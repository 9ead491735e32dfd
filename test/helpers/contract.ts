import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Response = { description?: string; content?: Record<string, { schema?: object }> };
type Operation = { responses: Record<string, Response> };
export type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components?: object };
export type Answer = { method: string; url: string; status: number; contentType: string | undefined; body: string };

/**
 * Checks real answers against the OpenAPI document the service serves: the status is documented
 * for the operation, the media type is the documented one, and a JSON body validates against the
 * documented schema. Returns what is wrong, in words; nothing when the answer is as documented.
 */
export function contractOf(doc: OpenApiDocument): (answer: Answer) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Concrete paths before templated ones, so /ledger/entries.csv is not read as /ledger/entries.
  const routes = Object.keys(doc.paths)
    .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]*')}$`) }))
    .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: object) => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components });
      validators.set(key, validate);
    }
    return validate;
  };

  return ({ method, url, status, contentType, body }) => {
    // As the request reached the server: dot segments resolved (`/users/..` is `/`).
    const path = new URL(url.split('?')[0] ?? url, 'http://service').pathname;
    const route = routes.find((r) => r.pattern.test(path));
    const operation = route ? doc.paths[route.path]?.[method.toLowerCase()] : undefined;
    const name = `${method} ${route?.path ?? path} → ${status}`;
    if (!operation) {
      // Unknown routes and methods (and paths refused before routing) answer a problem, documented nowhere by nature; the
      // document, its page and the web pages' static assets are not operations.
      if ((status >= 400 && status < 500) || path === '/openapi.json' || /^\/(docs|web)\b/.test(path)) return [];
      return [`${name}: no such operation is documented`];
    }
    const code = [String(status), `${String(status)[0]}XX`, 'default'].find((c) => operation.responses[c] !== undefined);
    if (code === undefined) return [`${name}: status not documented`];
    const documented = operation.responses[code]?.content;
    if (!documented || body.length === 0) return documented && status !== 204 && status !== 302 ? [`${name}: empty body`] : [];
    const mediaType = contentType?.split(';')[0]?.trim() ?? '';
    const media = documented[mediaType];
    if (!media) return [`${name}: served as ${mediaType}, documented as ${Object.keys(documented).join(', ')}`];
    if (!media.schema || !mediaType.endsWith('json')) return [];
    const validate = validatorFor(`${method} ${route?.path} ${code} ${mediaType}`, media.schema);
    if (validate(JSON.parse(body))) return [];
    return [`${name}: ${ajv.errorsText(validate.errors)} in ${body.slice(0, 300)}`];
  };
}

import t from 'tap';
import { contractOf, type OpenApiDocument } from '../helpers/contract.js';

// The checker every test's service runs its answers through (test/helpers/service.ts) must itself catch a lie.
const doc: OpenApiDocument = {
  components: { schemas: { Problem: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } } } },
  paths: {
    '/rooms/{id}': {
      get: {
        responses: {
          '200': {
            content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
          },
          '4XX': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
    },
  },
};
const check = contractOf(doc);
const answer = (status: number, contentType: string, body: unknown) => ({
  method: 'GET',
  url: '/rooms/r1?x=1',
  status,
  contentType,
  body: JSON.stringify(body),
});

t.same(check(answer(200, 'application/json; charset=utf-8', { id: 'r1' })), [], 'a documented answer passes');
t.same(check(answer(404, 'application/problem+json', { code: 'not_found' })), [], 'an error in the 4XX range passes');
t.match(check(answer(200, 'application/json', { id: 1 })), [/must be string/], 'a body off its schema is caught');
t.match(check(answer(404, 'application/json', { code: 'x' })), [/served as application\/json, documented as application\/problem\+json/]);
t.match(check(answer(500, 'application/problem+json', { code: 'x' })), [/status not documented/]);
t.match(check({ ...answer(200, 'application/json', {}), method: 'DELETE' }), [/no such operation/]);
t.same(check({ ...answer(404, 'application/problem+json', {}), url: '/nowhere' }), [], 'unknown routes are nobody’s contract');

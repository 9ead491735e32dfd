import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestService } from '../helpers/service.js';
import { operationIdOf } from '../../src/http/openapi.js';

type Operation = {
  operationId: string;
  security: unknown[];
  parameters?: { in: string; name: string; required?: boolean; schema: { default?: unknown } }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
};
type Document = { servers: { url: string }[]; paths: Record<string, Record<string, Operation>> };

const run = promisify(execFile);

t.test('the OpenAPI document is valid, lints clean and says what the routes do', async (t) => {
  const { app } = await startTestService(t, { env: { PUBLIC_URL: 'https://ktv.example' } });
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();

  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), 'swagger-parser validates it');

  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(doc));
  const lint = await run('npx', ['redocly', 'lint', file, '--format=json', '--config', 'redocly.yaml'], {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const report = JSON.parse(lint.stdout) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
  t.same(report.totals, { errors: 0, warnings: 0, ignored: 0 }, 'redocly lint: no errors, no warnings');
  if (report.problems.length > 0) t.comment(report.problems.map((p) => `${p.ruleId}: ${p.message}`).join('\n'));

  t.same(doc.servers, [{ url: 'https://ktv.example', description: 'This deployment (PUBLIC_URL)' }], 'servers come from PUBLIC_URL');

  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  const ids = operations.map(({ op }) => op.operationId);
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');

  const documented = new Map(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o.op]));
  const wrong: string[] = [];
  for (const route of app.routeAccess) {
    // Static assets (the docs page's and the web pages' bundles) and the document itself are not operations.
    if (route.method === 'HEAD' || /^\/(docs|web)\b/.test(route.url) || route.url === '/openapi.json') continue;
    const name = `${route.method} ${route.url}`;
    const op = documented.get(`${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    if (!op) {
      wrong.push(`${name}: not documented`);
      continue;
    }
    if (op.operationId !== operationIdOf(route.method, route.url)) wrong.push(`${name}: operationId ${op.operationId}`);
    const security = route.permission === 'public' ? '[]' : '[{"bearer":[]}]';
    if (JSON.stringify(op.security) !== security) wrong.push(`${name}: security ${JSON.stringify(op.security)} for ${route.permission}`);
    const codes = Object.keys(op.responses);
    // A WebSocket route succeeds with 101 Switching Protocols.
    if (!codes.some((c) => /^([23]|101$)/.test(c))) wrong.push(`${name}: no success response`);
    for (const code of ['4XX', '5XX'])
      if (!op.responses[code]?.content?.['application/problem+json']) wrong.push(`${name}: ${code} not problem+json`);
    for (const p of op.parameters ?? []) {
      if (p.in === 'query' && p.schema.default !== undefined && p.required) wrong.push(`${name}: ${p.name} has a default but is required`);
    }
  }
  t.same(
    wrong,
    [],
    'every route is documented with its operationId, security, success and problem responses, and optional defaulted parameters',
  );

  const payment = documented.get('GET /payments/{id}');
  t.match(JSON.stringify(payment), /accountant/, 'GET /payments/{id} names the accountant among its readers');
});

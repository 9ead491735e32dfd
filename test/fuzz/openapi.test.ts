/**
 * Fuzzes every operation of the OpenAPI document, as every role and anonymously, with values
 * derived from each operation's schemas and hostile ones besides. No answer may be a 5xx, every
 * error must be problem+json with a string `code`, and none may take 2 s or more.
 * FUZZ_REQUESTS sets the count (`npm run fuzz` runs a long one); FUZZ_SEED the seed.
 */
import t from 'tap';
import fc from 'fast-check';
import { startTestService } from '../helpers/service.js';
import { signUp } from '../helpers/auth.js';
import { ROLES } from '../../src/auth/permissions.js';
import { endpointsOf, requestOf, type Identity, type OpenApi } from '../helpers/fuzz.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const SLOW_MS = 2000;

const { app, platform } = await startTestService(t);
const identities: Identity[] = [{ name: 'anonymous', headers: {} }];
for (const role of ROLES) {
  const user = await signUp(app, platform.store, role, `fuzz-${role}`);
  identities.push({ name: role, headers: user.auth });
}
const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApi>();
// Signed-in identities would end their own sessions and fuzz nothing after: those run anonymously.
const endpoints = endpointsOf(doc);
const ending = /^\/auth\/(logout|logout-all|sessions\/\{id\})$/;

const all = fc.oneof(...endpoints.map((e) => requestOf(e, doc, ending.test(e.path) ? identities.slice(0, 1) : identities)));
const requests = fc.sample(all, { numRuns: REQUESTS, seed: SEED });

t.test(`${REQUESTS} fuzzed requests over ${endpoints.length} operations (seed ${SEED})`, async (t) => {
  const serverErrors: string[] = [];
  const notProblems: string[] = [];
  let slowest = { ms: 0, label: '' };
  const started = Date.now();
  for (const { label, ...request } of requests) {
    if (process.env.FUZZ_TRACE)
      console.error(label, JSON.stringify(request.headers), (typeof request.payload === 'string' ? request.payload : '').slice(0, 300));
    const t0 = performance.now();
    const res = await app.inject(request);
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, label };
    if (res.statusCode >= 500) serverErrors.push(`${res.statusCode} ${label}: ${res.body.slice(0, 200)}`);
    if (res.statusCode >= 400) {
      const type = String(res.headers['content-type'] ?? '');
      let code: unknown;
      try {
        code = (JSON.parse(res.body) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (!type.startsWith('application/problem+json') || typeof code !== 'string') {
        notProblems.push(`${res.statusCode} ${type} ${label}: ${res.body.slice(0, 200)}`);
      }
    }
  }
  t.comment(
    `fuzz: ${requests.length} requests in ${Date.now() - started} ms, ${serverErrors.length} 5xx, ` +
      `${notProblems.length} non-problem errors, slowest ${slowest.ms.toFixed(0)} ms (${slowest.label})`,
  );
  t.same(serverErrors.slice(0, 10), [], 'no 5xx');
  t.same(notProblems.slice(0, 10), [], 'every error is problem+json with a string code');
  t.ok(slowest.ms < SLOW_MS, `no answer took ${SLOW_MS} ms or more (slowest ${slowest.ms.toFixed(0)} ms: ${slowest.label})`);
});

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { root } from '../helpers/container.js';

/**
 * CI's verdict on `npm audit --omit=dev --json` (.ci/audit.mjs), given reports in npm's own format:
 * high or critical fails and names the package, lesser findings pass, and a report that is an error
 * (the audit service unreachable) passes only with a loud NOT CHECKED, unless AUDIT_REQUIRED=1.
 */
const dir = await mkdtemp(path.join(os.tmpdir(), 'ktv-audit-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

async function verdict(report: unknown, env: Record<string, string> = {}): Promise<{ status: number | null; out: string }> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof report === 'string' ? report : JSON.stringify(report));
  const child = spawnSync(process.execPath, [path.join(root, '.ci/audit.mjs'), '--from', file], {
    encoding: 'utf8',
    env: { ...process.env, AUDIT_REQUIRED: '', ...env },
  });
  return { status: child.status, out: child.stdout };
}

const counts = (c: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>>) => ({
  info: 0,
  low: 0,
  moderate: 0,
  high: 0,
  critical: 0,
  ...c,
  total: Object.values(c).reduce((a, b) => a + b, 0),
});
const finding = (name: string, severity: string) => ({ name, severity, isDirect: false, via: [], range: '<1.2.3', fixAvailable: true });

t.test('a high finding in a production dependency fails and is named', async (t) => {
  const { status, out } = await verdict({
    auditReportVersion: 2,
    vulnerabilities: { 'some-lib': finding('some-lib', 'high'), other: finding('other', 'moderate') },
    metadata: { vulnerabilities: counts({ high: 1, moderate: 1 }) },
  });
  t.equal(status, 1);
  t.match(out, /npm audit FAILED: production dependencies have 0 critical, 1 high, 1 moderate, 0 low/);
  t.match(out, /high: some-lib <1\.2\.3 \(fix available\)/);
  t.notMatch(out, /other/, 'lesser findings are counted, not listed');
});

t.test('a critical finding fails too', async (t) => {
  const { status } = await verdict({
    auditReportVersion: 2,
    vulnerabilities: { bad: finding('bad', 'critical') },
    metadata: { vulnerabilities: counts({ critical: 1 }) },
  });
  t.equal(status, 1);
});

t.test('moderate and low findings pass, with the counts', async (t) => {
  const { status, out } = await verdict({
    auditReportVersion: 2,
    vulnerabilities: { a: finding('a', 'moderate'), b: finding('b', 'low') },
    metadata: { vulnerabilities: counts({ moderate: 1, low: 1 }) },
  });
  t.equal(status, 0);
  t.match(out, /npm audit passed: production dependencies have 0 critical, 0 high, 1 moderate, 1 low/);
});

t.test('an unreachable audit service is NOT CHECKED: passes, unless AUDIT_REQUIRED=1', async (t) => {
  const error = { message: '405 Method Not Allowed - POST …/advisories/bulk', statusCode: 405 };
  const lenient = await verdict(error);
  t.equal(lenient.status, 0);
  t.match(lenient.out, /npm audit NOT CHECKED: 405 Method Not Allowed/);
  const required = await verdict(error, { AUDIT_REQUIRED: '1' });
  t.equal(required.status, 1);
  t.match(required.out, /npm audit NOT CHECKED/);
  const garbled = await verdict('npm ERR! something else');
  t.equal(garbled.status, 0);
  t.match(garbled.out, /npm audit NOT CHECKED: npm audit printed no report/);
});

import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { root } from './helpers/container.js';
import { startTestService } from './helpers/service.js';
import { call } from './helpers/http.js';

/**
 * monitoring/: the alert rules pass `promtool check rules` and their unit tests, the Grafana
 * dashboard's queries are valid PromQL, and every metric the rules and the dashboard name is one the
 * service exports (or a rule records).
 */
const run = promisify(execFile);
const dir = path.join(root, 'monitoring');
const promtool = spawnSync('promtool', ['--version']).status === 0;
const noPromtool = promtool ? false : 'no promtool on this machine (Debian package prometheus; .ci/run installs it)';

type Rule = { record?: string; alert?: string; expr: string };
const rules = (YAML.parse(readFileSync(path.join(dir, 'rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
type Panel = { id: number; type: string; title: string; targets?: { expr: string }[] };
const dashboard = JSON.parse(readFileSync(path.join(dir, 'grafana/ktv-api.json'), 'utf8')) as { uid: string; panels: Panel[] };
// Grafana fills $__rate_interval in from the scrape interval; any duration stands in for PromQL.
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((q) => q.expr.replaceAll('$__rate_interval', '5m')));

t.test('promtool checks the rules and runs their unit tests', { skip: noPromtool }, async (t) => {
  const checked = await run('promtool', ['check', 'rules', 'rules.yml'], { cwd: dir });
  t.match(checked.stdout, `SUCCESS: ${rules.length} rules found`);
  const tested = await run('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: dir });
  t.match(tested.stdout, 'SUCCESS');
});

t.test('promtool refuses a broken rule, so the check above means something', { skip: noPromtool }, async (t) => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ktv-rules-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const file = path.join(scratch, 'broken.yml');
  await writeFile(file, YAML.stringify({ groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])' }] }] }));
  const failed = await run('promtool', ['check', 'rules', file]).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(failed?.code, 1);
  t.match(failed?.stderr, 'unclosed left parenthesis');
});

t.test('every query of the dashboard is valid PromQL', { skip: noPromtool }, async (t) => {
  t.equal(dashboard.uid, 'ktv-api');
  t.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique');
  t.ok(dashboardExprs.length >= 15, `${dashboardExprs.length} queries`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ktv-dashboard-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const file = path.join(scratch, 'dashboard-queries.yml');
  const asRules = dashboardExprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr }));
  await writeFile(file, YAML.stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
  const { stdout } = await run('promtool', ['check', 'rules', file]);
  t.match(stdout, `SUCCESS: ${asRules.length} rules found`);
});

t.test('every metric the rules and the dashboard name is exported or recorded', async (t) => {
  const { app } = await startTestService(t);
  const { raw } = await call(app, { method: 'GET', url: '/metrics' });
  const exported = new Set([...raw.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
  const named = new Set(
    [...rules.map((r) => r.expr), ...dashboardExprs]
      .flatMap((e) => [...e.matchAll(/\b((?:ktv|http|projection|booking|eventstore)_[a-z_]+|ktv:[a-z0-9_:]+)\b/g)])
      .map((m) => m[1]!),
  );
  t.ok(named.size >= 10, `${named.size} metrics named`);
  for (const name of named) {
    const base = name.replace(/_(bucket|count|sum)$/, '');
    t.ok(exported.has(base) || recorded.has(name), `${name} is ${recorded.has(name) ? 'recorded' : 'exported'}`);
  }
  for (const alert of [
    'KtvErrorBudgetBurnFast',
    'KtvRouteSlow',
    'KtvHigh5xxRate',
    'KtvProjectionLagging',
    'KtvPaymentCallbacksFailing',
    'KtvBookingQueueDeep',
  ]) {
    t.ok(
      rules.some((r) => r.alert === alert),
      `alert ${alert}`,
    );
  }
});

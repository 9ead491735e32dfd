import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { loadConfig } from '../src/config.js';
import { root } from './helpers/container.js';
import { startTestService } from './helpers/service.js';
import { freePort } from './e2e/process.js';

/**
 * k8s/: every object validated against the Kubernetes schemas bundled in `kubernetes-models`, the
 * overlays rendered by kubectl's kustomize, and what blue/green relies on checked on the result.
 */
const run = promisify(execFile);
const k8s = path.join(root, 'k8s');

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any };

/** The bundled schema of `apiVersion`/`kind` (`apps/v1` → kubernetes-models/apps/v1/Deployment). */
async function validate(object: K8sObject): Promise<void> {
  const modulePath = `kubernetes-models/${object.apiVersion}/${object.kind}`;
  const module = (await import(modulePath).catch(() => {
    throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  })) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[object.kind];
  if (!Model) throw new Error(`no model ${object.kind} in ${modulePath}`);
  new Model(object).validate();
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? yamlFiles(file) : name.endsWith('.yaml') ? [file] : [];
  });
const documents = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS() as K8sObject);

/** Files kustomize merges into objects (not whole objects themselves). */
const patchFiles = new Set(
  yamlFiles(k8s)
    .filter((f) => path.basename(f) === 'kustomization.yaml')
    .flatMap((f) => {
      const k = YAML.parse(readFileSync(f, 'utf8')) as { patches?: { path?: string }[] };
      return (k.patches ?? []).flatMap((p) => (p.path ? [path.join(path.dirname(f), p.path)] : []));
    }),
);

t.test('every manifest file holds objects valid against the Kubernetes schemas', async (t) => {
  const files = yamlFiles(k8s).filter((f) => path.basename(f) !== 'kustomization.yaml' && !patchFiles.has(f));
  t.ok(files.length >= 8, `${files.length} manifest files`);
  for (const file of files) {
    for (const object of documents(readFileSync(file, 'utf8'))) {
      await t.resolves(validate(object), `${path.relative(root, file)}: ${object.kind} ${object.metadata.name}`);
    }
  }
});

t.test('the validator refuses a broken object', async (t) => {
  const [deployment] = documents(readFileSync(path.join(k8s, 'base/api-slot/deployment.yaml'), 'utf8'));
  await t.rejects(validate({ ...deployment!, spec: { ...deployment!.spec, replicas: 'two' } }), /replicas must be integer/);
  await t.rejects(validate({ ...deployment!, spec: { ...deployment!.spec, selector: undefined } }), /selector/);
  await t.rejects(validate({ ...deployment!, apiVersion: 'apps/v9' }), /no schema/);
});

// kustomize as kubectl embeds it; `labels` with selectors and `patches` need its 4.2 or later (kubectl 1.22).
const kubectlMinor = (() => {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return Number((JSON.parse(r.stdout) as { clientVersion: { minor: string } }).clientVersion.minor.replace(/\D/g, ''));
})();
const noKustomize =
  kubectlMinor === null ? 'no kubectl on this machine' : kubectlMinor < 22 ? `kubectl 1.${kubectlMinor} is older than 1.22` : false;

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', path.join(k8s, dir)], { maxBuffer: 16 * 1024 * 1024 });
  return documents(stdout);
}

const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

t.test('the production overlay renders to valid objects that blue/green can run on', { skip: noKustomize }, async (t) => {
  const objects = await render('overlays/production');
  for (const object of objects) await t.resolves(validate(object), `${object.kind} ${object.metadata.name}`);
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  t.notOk(byName('Service', 'ktv-api'), 'the live Service is not in the overlay, so a release never moves traffic');
  t.ok(
    objects.every((o) => (o as { metadata: { namespace?: string } }).metadata.namespace === 'ktv'),
    'all in namespace ktv',
  );

  const { include } = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  const runsBuiltFile = (command: string[]) => {
    const source = (command[1] ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts');
    return command[0] === 'node' && existsSync(path.join(root, source)) && include.includes(source.split('/')[0] ?? '');
  };

  for (const slot of ['blue', 'green']) {
    const name = `ktv-api-${slot}`;
    const deployment = byName('Deployment', name);
    t.ok(deployment, `${name} exists`);
    const pod = deployment!.spec.template;
    const [api] = pod.spec.containers;
    t.equal(pod.metadata.labels.slot, slot, `${name}'s pods are labelled slot=${slot}`);
    t.same(deployment!.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'ktv-api', slot }, 'and selected by it');
    t.ok(runsBuiltFile(api.command), `${name} runs a built file: ${api.command.join(' ')}`);
    t.equal(api.livenessProbe.httpGet.path, '/healthz', 'liveness on /healthz');
    t.equal(api.startupProbe.httpGet.path, '/healthz', 'start-up on /healthz');
    t.equal(api.readinessProbe.httpGet.path, '/readyz', 'readiness on /readyz');
    t.ok(api.resources.requests.cpu && api.resources.limits.memory, 'requests and limits');
    t.match(api.image, /^registry\.example\.com\/ktv-backend:/, 'the image set by the overlay');
    const pdb = byName('PodDisruptionBudget', name);
    t.ok(pdb && selects(pdb.spec.selector.matchLabels, pod.metadata.labels), 'a disruption budget over its pods');
    const hpa = byName('HorizontalPodAutoscaler', name);
    t.same(hpa?.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name }, 'an autoscaler on it');
    const preview = byName('Service', name);
    t.ok(preview && selects(preview.spec.selector, pod.metadata.labels), `Service ${name} reaches the slot for its smoke check`);
    const other = byName('Deployment', `ktv-api-${slot === 'blue' ? 'green' : 'blue'}`);
    t.notOk(selects(preview!.spec.selector, other!.spec.template.metadata.labels), 'and only that slot');
  }

  const projector = byName('Deployment', 'ktv-projector');
  t.same(projector?.spec.template.spec.containers[0].command.slice(2), ['--projector'], 'the projector runs alone');
  t.ok(runsBuiltFile(projector!.spec.template.spec.containers[0].command), 'from a built file');
  const job = byName('Job', 'ktv-migrate');
  t.ok(job && runsBuiltFile(job.spec.template.spec.containers[0].command), 'the migration Job runs a built file');

  // The settings every process gets parse as the service's configuration.
  const config = byName('ConfigMap', 'ktv-config') as unknown as { data: Record<string, string> };
  t.equal(config.data.PROJECTIONS, 'off', 'API instances leave projections to the projector');
  const secrets = Object.fromEntries(
    readFileSync(path.join(k8s, 'secrets.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replaceAll('\\n', '\n')]),
  );
  t.doesNotThrow(() => loadConfig({ ...config.data, ...secrets }), 'ConfigMap and Secret make a valid configuration');
  const known = readFileSync(path.join(root, 'src/config.ts'), 'utf8');
  for (const key of [...Object.keys(config.data), ...Object.keys(secrets)]) t.match(known, `  ${key}: Type.`, `${key} is a setting`);
});

t.test('the live Service selects exactly one slot', { skip: noKustomize }, async (t) => {
  const [live] = (await render('live')).filter((o) => o.kind === 'Service');
  const slots = (await render('overlays/production')).filter(
    (o) => o.kind === 'Deployment' && selects(live!.spec.selector, o.spec.template.metadata.labels),
  );
  t.same(
    slots.map((d) => d.metadata.name),
    ['ktv-api-blue'],
    'blue serves until the first switch',
  );
});

t.test('the smoke check passes on a ready API and fails where none answers', async (t) => {
  const { app, runner } = await startTestService(t);
  await runner.catchUp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const { stdout } = await run(path.join(k8s, 'smoke.sh'), [`http://127.0.0.1:${port}`]);
  t.match(stdout, 'smoke: GET /readyz ok');
  t.match(stdout, 'smoke: GET /rooms ok');
  const closed = await freePort();
  const failed = await run(path.join(k8s, 'smoke.sh'), [`http://127.0.0.1:${closed}`]).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(failed?.code, 1, 'exits 1');
  t.match(failed?.stderr, /GET \/healthz failed/, 'naming the check that failed');
});

/**
 * A kubectl that answers as a cluster would for what k8s/bluegreen.sh asks: the live Service's slot
 * from a file, rollouts done, a port-forward that only waits (the smoke check goes to SMOKE_PORT,
 * where the test's API listens), and a patch that records the new selector.
 */
const FAKE_KUBECTL = `#!/usr/bin/env bash
state="$(dirname "$0")/live-slot"
echo "$*" >> "$(dirname "$0")/calls"
case "$*" in
  *"get service ktv-api"*) cat "$state" ;;
  *"rollout status"*) exit 0 ;;
  *port-forward*) exec sleep 60 ;;
  *"patch service ktv-api"*) sed -E 's/.*"slot":"([a-z]+)".*/\\1/' <<< "$*" > "$state" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`;

t.test('bluegreen.sh switches the live Service only after the slot passes its smoke check', async (t) => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ktv-bluegreen-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const kubectl = path.join(scratch, 'kubectl');
  await writeFile(kubectl, FAKE_KUBECTL);
  await chmod(kubectl, 0o755);
  await writeFile(path.join(scratch, 'live-slot'), 'blue');
  const live = () => readFileSync(path.join(scratch, 'live-slot'), 'utf8').trim();

  const { app, runner } = await startTestService(t);
  await runner.catchUp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const script = path.join(k8s, 'bluegreen.sh');
  const switchTo = (slot: string, smokePort: number) =>
    run(script, ['switch', slot], { env: { ...process.env, KUBECTL: kubectl, SMOKE_PORT: String(smokePort) } }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );

  const refused = await switchTo('green', await freePort());
  t.equal(refused.code, 1, 'a slot that does not answer is refused');
  t.match(refused.stderr, 'smoke check of green failed: traffic stays on blue');
  t.equal(live(), 'blue', 'and traffic stays');

  const switched = await switchTo('green', port);
  t.equal(switched.code, 0, switched.stderr);
  t.match(switched.stdout, 'smoke: GET /readyz ok');
  t.match(switched.stdout, 'live: green (was blue); to go back: k8s/bluegreen.sh switch blue');
  t.equal(live(), 'green', 'the live Service now selects green');
  t.match(readFileSync(path.join(scratch, 'calls'), 'utf8'), '-n ktv rollout status deployment/ktv-api-green', 'after its rollout');

  t.match((await switchTo('green', port)).stdout, 'green is already live');
  t.equal((await switchTo('purple', port)).code, 2, 'only blue or green');
});

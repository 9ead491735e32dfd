import t, { type Test } from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, copyFile, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  argsOf,
  composeFile,
  dockerfileStages,
  envOf,
  execForm,
  root,
  unsetInterpolated,
  type ComposeService,
} from './helpers/container.js';
import { testDatabase } from './helpers/database.js';
import { until } from './helpers/until.js';
import { freePort, startProcess, startRedisServer, type Server } from './e2e/process.js';

/**
 * docker-compose.yml's API and projector as the image runs them, where no Docker engine runs: the
 * image's layout is checked against the build, then its start commands run as an unprivileged user
 * in a folder laid out like the image's /app (code owned by root, only the data folder writable),
 * against the real PostgreSQL and a Redis of this test's own (the job queue's name is shared, so the
 * shared Redis would hand this service other tests' jobs).
 */
t.setTimeout(600_000);

const run = promisify(execFile);
const [build, image] = dockerfileStages();
const compose = composeFile();
const appServices = Object.entries(compose.services).filter(([, s]) => s.build === '.');
const workdir = argsOf(image!, 'WORKDIR').at(-1) ?? '/';
const imageEnv = envOf(image!);
const dataDir = imageEnv.DATA_DIR ?? '';
const userAt = image!.instructions.findIndex((i) => i.op === 'USER');
const makesDataDir = image!.instructions.findIndex(
  (i) => i.op === 'RUN' && i.args.includes(`mkdir -p ${dataDir}`) && i.args.includes(`chown node:node ${dataDir}`),
);
const dataDirGivenToNode = makesDataDir >= 0 && makesDataDir < userAt;
/** What a service runs: compose's `command` replaces the image's CMD. */
const startCommand = (s: ComposeService) => [...(execForm(image!, 'ENTRYPOINT') ?? []), ...(s.command ?? execForm(image!, 'CMD') ?? [])];

t.test('the build stage copies every folder the build compiles', async (t) => {
  const { include } = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  const copied = argsOf(build!, 'COPY').map((a) => a.split(/\s+/)[0]);
  for (const dir of include) t.ok(copied.includes(dir), `COPY ${dir}`);
  t.ok(
    argsOf(build!, 'RUN').some((r) => r.includes('npm run build')),
    'and builds',
  );
});

t.test('every start command runs a file the build emits', async (t) => {
  const { include } = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  t.same(
    appServices.map(([name]) => name),
    ['api', 'projector'],
    'compose builds the API and the projector from this image',
  );
  for (const [name, service] of appServices) {
    const argv = startCommand(service);
    t.equal(argv[0], 'node', `${name} runs node`);
    const script = argv[1] ?? '';
    const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    t.ok(script.startsWith('dist/') && existsSync(path.join(root, source)), `${name}: ${script} is built from ${source}`);
    t.ok(include.includes(source.split('/')[0] ?? ''), `${name}: ${source} is in a compiled folder`);
  }
});

t.test('the image runs as node, with a data folder it owns and compose keeps in a volume', async (t) => {
  const users = argsOf(image!, 'USER');
  t.equal(users.at(-1), 'node', 'the final stage ends as the node user');
  t.ok(path.isAbsolute(dataDir) && dataDir.startsWith(`${workdir}/`), `DATA_DIR ${dataDir} is under ${workdir}`);
  t.ok(dataDirGivenToNode, `${dataDir} is made and given to node before USER node`);
  for (const [name, service] of appServices) {
    const mount = service.volumes?.find((v) => v.endsWith(`:${dataDir}`));
    const volume = mount?.split(':')[0] ?? '';
    t.ok(mount && volume in (compose.volumes ?? {}), `${name} keeps ${dataDir} in a named volume (${mount})`);
    t.equal(service.environment?.JWT_PRIVATE_KEY, '${JWT_PRIVATE_KEY:-}', `${name} takes JWT_PRIVATE_KEY from the environment`);
  }
  const mounts = new Set(appServices.map(([, s]) => s.volumes?.find((v) => v.endsWith(`:${dataDir}`))));
  t.equal(mounts.size, 1, 'the API and the projector share one volume, so they sign with one key');
});

// Only the CLI is needed (no engine): CI installs Debian's docker-compose where the plugin is missing.
const composeCli =
  spawnSync('docker', ['compose', 'version']).status === 0
    ? ['docker', 'compose']
    : spawnSync('docker-compose', ['version']).status === 0
      ? ['docker-compose']
      : null;
t.test(
  'docker compose reads the file',
  { skip: composeCli ? false : 'no docker compose CLI on this machine (neither `docker compose` nor `docker-compose`)' },
  async (t) => {
    const [command = '', ...args] = composeCli ?? [];
    const { stderr } = await run(command, [...args, 'config', '-q'], { cwd: root, env: { ...process.env, JWT_PRIVATE_KEY: '' } });
    t.pass(`${composeCli?.join(' ')} config -q: valid${stderr ? ` (${stderr.trim()})` : ''}`);
  },
);

/** A hard link where the file system allows one, else a copy: the stage is made of many large files. */
async function place(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await run('cp', ['-a', '-l', from, to]).catch(() => cp(from, to, { recursive: true, verbatimSymlinks: true }));
}

/**
 * The image's /app, under a fresh folder readable by everyone and owned by root: `dist` built now,
 * node_modules with the production dependencies only (as `npm prune --omit=dev` leaves them),
 * package.json, and node on the PATH as the base image has it.
 */
async function stageImage(): Promise<string> {
  const stage = await mkdtemp(path.join(os.tmpdir(), 'ktv-image-'));
  await chmod(stage, 0o755);
  const app = path.join(stage, workdir);
  await mkdir(app, { recursive: true, mode: 0o755 });
  t.same(
    argsOf(image!, 'COPY'),
    ['--from=build /app/node_modules ./node_modules', '--from=build /app/dist ./dist', 'package.json ./'],
    'the image holds dependencies, the build and package.json: this stage lays out the same',
  );
  await run(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(app, 'dist')], {
    cwd: root,
  });
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root });
  const placed: string[] = [];
  for (const dir of stdout
    .split('\n')
    .filter((d) => d.startsWith(`${root}/node_modules/`))
    .sort()) {
    if (placed.some((p) => dir.startsWith(`${p}/`))) continue; // already inside a package placed whole
    await place(dir, path.join(app, path.relative(root, dir)));
    placed.push(dir);
  }
  await copyFile(path.join(root, 'package.json'), path.join(app, 'package.json'));
  await place(process.execPath, path.join(stage, 'usr/local/bin/node'));
  await mkdir(path.join(stage, dataDir), { mode: 0o755 });
  return stage;
}

const nonRoot = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;

const stage = await stageImage();
t.teardown(() => rm(stage, { recursive: true, force: true }));
const inStage = (p: string) => path.join(stage, p);
// As the image leaves it: the service user's only if the Dockerfile gives it to node.
if (nonRoot && dataDirGivenToNode) await chown(inStage(dataDir), nonRoot.uid, nonRoot.gid);

const databaseUrl = await testDatabase(t);
const redisPort = await freePort();
const redis = await startRedisServer(redisPort);
t.teardown(() => redis.kill('SIGKILL'));

/**
 * A service's start command as the image runs it: its user (nobody when these tests run as root,
 * else already unprivileged), its working directory, the image's and compose's environment and
 * nothing else, except what points at this machine's databases and the stage's folders.
 */
async function startAsImage(name: string, extra: Record<string, string> = {}): Promise<Server> {
  const service = compose.services[name]!;
  const env: NodeJS.ProcessEnv = {
    PATH: `${inStage('/usr/local/bin')}:/usr/bin:/bin`,
    ...imageEnv,
    ...Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, unsetInterpolated(String(v))])),
    DATABASE_URL: databaseUrl,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: inStage(dataDir),
    // Busy shared machines lag for reasons unrelated to start-up.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...extra,
  };
  delete env.EVENTSTORE_URL; // no EventStoreDB server runs here: the PostgreSQL event store stands in
  // `env -i`: tap puts its own loader into every child's NODE_OPTIONS, and a container has no such thing.
  const clean = ['/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  const user = nonRoot ? ['setpriv', `--reuid=${nonRoot.uid}`, `--regid=${nonRoot.gid}`, '--clear-groups'] : [];
  const argv = [...clean, ...user, ...startCommand(service)];
  return startProcess(argv, { cwd: inStage(workdir), env, ready: name === 'api' ? '"API ready"' : '"projector running"' });
}

async function stop(t: Test, server: Server, name: string): Promise<void> {
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, `${name} stops cleanly on SIGTERM`);
}

/** The environment a running process was started with. */
function environmentOf(pid: number | undefined): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

function uidOf(pid: number | undefined): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

t.test('API and projector start as the image runs them: no key configured, the key made in the data volume', async (t) => {
  const api = await startAsImage('api');
  t.teardown(() => api.child.kill('SIGKILL'));
  t.not(uidOf(api.child.pid), 0, `the API runs as uid ${uidOf(api.child.pid)}`);
  const environment = environmentOf(api.child.pid);
  t.notOk('NODE_OPTIONS' in environment, 'with no test hooks in its environment');
  t.equal(environment.JWT_PRIVATE_KEY, '', 'and no signing key configured');
  t.equal((await fetch(`${api.url}/healthz`)).status, 200, '/healthz');
  t.equal((await fetch(`${api.url}/readyz`)).status, 200, '/readyz');
  const key = await stat(inStage(path.join(dataDir, 'keys/jwt-ed25519.pem')));
  t.equal(key.uid, uidOf(api.child.pid), 'the signing key was made in the data folder, by the service user');
  t.equal(key.mode & 0o777, 0o600, 'readable by that user only');

  const projector = await startAsImage('projector');
  t.teardown(() => projector.child.kill('SIGKILL'));
  t.not(uidOf(projector.child.pid), 0, 'the projector runs unprivileged too');
  // The API seeded the demo venue with PROJECTIONS=off: its rooms appear only through the projector.
  const rooms = await until(
    async () => {
      const list = (await (await fetch(`${api.url}/rooms`)).json()) as unknown[];
      return list.length >= 14 ? list : null;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  t.equal(rooms?.length, 14, 'the projector built the read models the API answers from');
  await stop(t, projector, 'the projector');
  await stop(t, api, 'the API');
});

t.test('a data folder the service cannot write: no start without a key, a start with JWT_PRIVATE_KEY', async (t) => {
  await rm(inStage(path.join(dataDir, 'keys')), { recursive: true, force: true });
  await chmod(inStage(dataDir), 0o555);
  t.teardown(() => chmod(inStage(dataDir), 0o755));

  const refused = await startAsImage('api').then(
    (s) => (s.child.kill('SIGKILL'), 'started'),
    (err: Error) => err.message,
  );
  t.match(refused, /exited with 1 before ready[\s\S]*EACCES/, 'without a key it cannot make one, and says why');

  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // As an operator sets it for compose: one line, \n for line breaks.
  const api = await startAsImage('api', { JWT_PRIVATE_KEY: pem.trim().replaceAll('\n', '\\n') });
  t.teardown(() => api.child.kill('SIGKILL'));
  t.equal((await fetch(`${api.url}/healthz`)).status, 200, '/healthz');
  t.equal((await fetch(`${api.url}/readyz`)).status, 200, '/readyz');
  t.notOk(existsSync(inStage(path.join(dataDir, 'keys'))), 'and writes nothing to the data folder');
  await stop(t, api, 'the API');
});

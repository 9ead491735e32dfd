import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export type Server = { child: ChildProcess; logs: string[]; readyMs: number; exited: Promise<number | null>; url: string };

/** `src/root/main.ts` as its own process (as `npm start` runs it), resolved once it logs that the API is ready. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  return startProcess([process.execPath, '--import', 'tsx', 'src/root/main.ts'], {
    cwd: root,
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    ready: '"API ready"',
  });
}

/** `src/root/main.ts --projector` (as `npm run projector` runs it), resolved once it logs that it runs. */
export async function startProjector(env: NodeJS.ProcessEnv): Promise<Server> {
  return startProcess([process.execPath, '--import', 'tsx', 'src/root/main.ts', '--projector'], {
    cwd: root,
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    ready: '"projector running"',
  });
}

/**
 * Any start command of the service (`argv`, run in `cwd` with exactly `env`), resolved once its
 * output contains `ready`; `url` is its listener on PORT.
 */
export async function startProcess(
  argv: readonly string[],
  { cwd, env, ready }: { cwd: string; env: NodeJS.ProcessEnv; ready: string },
): Promise<Server> {
  const [command = '', ...args] = argv;
  const began = Date.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The caller never gets the child to clean up, so a start that did not get ready must not outlive the test.
      child.kill('SIGKILL');
      reject(new Error(`not ready in time:\n${logs.join('')}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      logs.push(chunk.toString());
      if (chunk.toString().includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${logs.join('')}`));
    });
  });
  return { child, logs, readyMs: Date.now() - began, exited, url: `http://127.0.0.1:${env.PORT}` };
}

/** A `redis-server` of the caller's own on `port` (nothing saved), resolved once it accepts connections. */
export async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error('redis-server exited')));
  });
  return child;
}

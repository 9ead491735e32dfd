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
  const port = Number(env.PORT);
  const began = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/root/main.ts'], {
    cwd: root,
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      if (chunk.toString().includes('"API ready"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code} before ready:\n${logs.join('')}`)));
  });
  return { child, logs, readyMs: Date.now() - began, exited, url: `http://127.0.0.1:${port}` };
}

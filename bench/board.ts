import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { WebSocket } from 'ws';
import { percentile, type Figures } from './figures.js';
import { freePort, request, startServer } from './booking.js';

/**
 * The live floor: from a command's answer to the matching `room` event at each
 * subscriber, over SSE and over WebSocket, with 1, 100 and 1,000 subscribers
 * (the load average beside each round, as the machine is shared), beside clients polling
 * GET /board every second for the same changes (the seed's comparison), and
 * the server's memory per subscriber. The server runs in its own process.
 */
type Room = { roomId: string; name: string; state: string };
type Subscriber = { arm(): void; seen: (roomId: string, state: string) => number | undefined; close(): void; ready: Promise<void> };

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** One SSE client; `seen` tells when it first received the room in that state since `arm`. */
function subscribe(port: number, token: string, rooms: number): Subscriber {
  const arrivals = new Map<string, number>();
  let snapshot = 0;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  let buffer = '';
  const req = http.get({ host: '127.0.0.1', port, path: '/board/events', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const now = performance.now();
      buffer += chunk;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const room = JSON.parse(data.slice(6)) as Room;
        if (++snapshot === rooms) onReady();
        const key = `${room.roomId}:${room.state}`;
        if (!arrivals.has(key)) arrivals.set(key, now);
      }
    });
  });
  req.on('error', () => {});
  return {
    arm: () => arrivals.clear(),
    seen: (roomId, state) => arrivals.get(`${roomId}:${state}`),
    close: () => req.destroy(),
    ready,
  };
}

/** One WebSocket client, like `subscribe`. */
function subscribeSocket(port: number, token: string, rooms: number): Subscriber {
  const arrivals = new Map<string, number>();
  let snapshot = 0;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const socket = new WebSocket(`ws://127.0.0.1:${port}/board/socket`, { headers: { authorization: `Bearer ${token}` } });
  socket.on('open', () => socket.send('{"type":"subscribe"}'));
  socket.on('message', (data) => {
    const now = performance.now();
    const { room } = JSON.parse((data as Buffer).toString('utf8')) as { room: Room };
    if (++snapshot === rooms) onReady();
    const key = `${room.roomId}:${room.state}`;
    if (!arrivals.has(key)) arrivals.set(key, now);
  });
  socket.on('error', () => {});
  return {
    arm: () => arrivals.clear(),
    seen: (roomId, state) => arrivals.get(`${roomId}:${state}`),
    close: () => socket.terminate(),
    ready,
  };
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchBoard(databaseUrl: string, changes: number): Promise<Figures> {
  const port = await freePort();
  const server = await startServer(databaseUrl, port);
  try {
    const token =
      (await request(port, 'POST', '/auth/login', { email: 'manager@demo.ktv', password: 'demo-password-1' })).body.accessToken ?? '';
    const board = async () => ((await request(port, 'GET', '/board', undefined, token)).body as unknown as { rooms: Room[] }).rooms;
    let rooms = await board();
    for (let i = 0; rooms.length === 0 && i < 100; i++) rooms = await board().then(async (r) => (r.length ? r : (await settle(100), r)));
    const room = rooms[0]!;
    const figures: Figures = {};
    let toggle = 0;

    /** Out of service and back, alternately: each command changes exactly one room's state. */
    const change = async () => {
      const out = toggle++ % 2 === 0;
      const r = await request(
        port,
        'POST',
        `/rooms/${room.roomId}/${out ? 'out-of-service' : 'return-to-service'}`,
        out ? { reason: 'bench' } : undefined,
        token,
      );
      if (r.status !== 200) throw new Error(`command answered ${r.status}`);
      return { answered: performance.now(), state: out ? 'out_of_service' : 'free' };
    };

    for (const [kind, open] of [
      ['SSE', subscribe],
      ['WebSocket', subscribeSocket],
    ] as const)
      for (const n of [1, 100, 1000]) {
        const before = rssKb(server.pids[0]!);
        const subs = Array.from({ length: n }, () => open(port, token, rooms.length));
        await Promise.all(subs.map((s) => s.ready));
        await settle(500);
        const perSubscriberKb = (rssKb(server.pids[0]!) - before) / n;
        // The polling clients of the seed's comparison, side by side with the subscribers.
        const pollers = n === 100 && kind === 'SSE' ? 100 : 0;
        const polled: number[] = [];
        const latencies: number[] = [];
        let missed = 0;
        for (let c = 0; c < changes; c++) {
          for (const s of subs) s.arm();
          const { answered, state } = await change();
          const deadline = answered + 5000;
          const polls = Array.from({ length: pollers }, async (_, i) => {
            // Each poller is at a random point of its 1 s cycle when the change lands.
            await settle((i * 1000) / pollers);
            for (;;) {
              const now = (await board()).find((r) => r.roomId === room.roomId);
              if (now?.state === state) return polled.push(performance.now() - answered);
              if (performance.now() > deadline) return;
              await settle(1000);
            }
          });
          for (;;) {
            const arrived = subs.map((s) => s.seen(room.roomId, state));
            if (arrived.every((a) => a !== undefined) || performance.now() > deadline) {
              for (const a of arrived)
                if (a === undefined) missed++;
                else latencies.push(Math.max(0, a - answered));
              break;
            }
            await settle(2);
          }
          await Promise.all(polls);
        }
        subs.forEach((s) => s.close());
        figures[`${kind}, ${n} subscriber(s): command answer → event, p50 / p99`] =
          `${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length} deliveries, ${missed} missed; load average ${os.loadavg()[0]!.toFixed(2)})`;
        figures[`${kind}, ${n} subscriber(s): server memory per subscriber`] = `${perSubscriberKb.toFixed(1)} KiB`;
        await settle(500);
        if (pollers > 0)
          figures[`${pollers} clients polling GET /board every 1 s, same changes: p50 / p99`] =
            `${percentile(polled, 50).toFixed(0)} / ${percentile(polled, 99).toFixed(0)} ms`;
      }
    return figures;
  } finally {
    server.stop();
  }
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../logger.js';
import type { EventStore } from '../../eventstore/port.js';
import { grantRolesAsSystem } from '../../../commands/users/bootstrap.js';
import { demoRateCard, demoVenue } from './rate-card.js';
import { businessDateOf } from '../../../domain/venue/settings.js';
import { addDays, instantOf } from '../../../domain/venue/time.js';

const MARKER_STREAM = 'demo-seed';
export const DEMO_PASSWORD = 'demo-password-1';

const accounts = [
  { email: 'admin@demo.ktv', name: 'Demo Admin', role: 'admin' },
  { email: 'manager@demo.ktv', name: 'Demo Manager', role: 'manager' },
  { email: 'waiter@demo.ktv', name: 'Demo Waiter', role: 'waiter' },
  { email: 'accountant@demo.ktv', name: 'Demo Accountant', role: 'accountant' },
  { email: 'guest@demo.ktv', name: 'Demo Guest', role: 'guest' },
] as const;

const roomTypes = [
  {
    id: 'small',
    name: 'Small',
    minCapacity: 2,
    maxCapacity: 4,
    cleaningBufferMinutes: 15,
    devices: ['55in screen', '2 wireless microphones', 'song terminal'],
  },
  {
    id: 'medium',
    name: 'Medium',
    minCapacity: 5,
    maxCapacity: 8,
    cleaningBufferMinutes: 15,
    devices: ['65in screen', '4 wireless microphones', 'song terminal', '5.1 speakers'],
  },
  {
    id: 'large',
    name: 'Large',
    minCapacity: 9,
    maxCapacity: 15,
    cleaningBufferMinutes: 20,
    devices: ['2x 75in screens', '6 wireless microphones', 'song terminal', '7.1 speakers'],
  },
  {
    id: 'deluxe',
    name: 'Deluxe',
    minCapacity: 16,
    maxCapacity: 25,
    cleaningBufferMinutes: 20,
    devices: ['2x 85in screens', '8 wireless microphones', '2 song terminals', 'stage lights'],
  },
  {
    id: 'party',
    name: 'Party',
    minCapacity: 30,
    maxCapacity: 60,
    cleaningBufferMinutes: 30,
    devices: ['LED wall', '12 wireless microphones', '2 song terminals', 'stage', 'DJ booth'],
  },
];

const rooms = [
  ...['S01', 'S02', 'S03', 'S04'].map((name) => ({ name, type: 'small', capacity: 4 })),
  ...['M01', 'M02', 'M03', 'M04'].map((name) => ({ name, type: 'medium', capacity: 8 })),
  ...['L01', 'L02', 'L03'].map((name) => ({ name, type: 'large', capacity: 15 })),
  { name: 'D01', type: 'deluxe', capacity: 20 },
  { name: 'D02', type: 'deluxe', capacity: 25 },
  { name: 'P01', type: 'party', capacity: 50 },
];

/** The bar and kitchen: bottled drinks are counted in stock, platters are made to order. */
const products = [
  { name: '青岛啤酒', category: 'drinks', unit: 'bottle', price: 1500, stock: 240 },
  { name: '百威啤酒', category: 'drinks', unit: 'bottle', price: 1800, stock: 240 },
  { name: '可乐', category: 'drinks', unit: 'can', price: 800, stock: 120 },
  { name: '矿泉水', category: 'drinks', unit: 'bottle', price: 500, stock: 200 },
  { name: '芝华士 12 年', category: 'spirits', unit: 'bottle', price: 68800, stock: 12 },
  { name: '爆米花', category: 'snacks', unit: 'bucket', price: 2800, stock: null },
  { name: '果盘', category: 'fruit', unit: 'plate', price: 6800, stock: null },
];

/** The fields of the answers the seed reads; each request it sends returns the ones it uses. */
type DemoReply = Readonly<{ id: string; sandboxCompleteUrl: string; accessToken: string; user: Readonly<{ id: string }> }>;
type Send = (url: string, key: string, payload: object, token?: string) => Promise<DemoReply>;

/** Tomorrow evening: one booking paid through the sandbox, one still held. */
async function demoBookings(app: FastifyInstance, send: Send, guestToken: string, roomIds: ReadonlyMap<string, string>): Promise<void> {
  const tomorrow = addDays(businessDateOf(new Date(), demoVenue), 1);
  const at = (minutes: number) => instantOf(tomorrow, minutes, demoVenue.timeZone).toISOString();
  const paid = await send(
    '/bookings',
    'booking:paid',
    { roomId: roomIds.get('S01'), start: at(20 * 60), durationMinutes: 120, partySize: 3 },
    guestToken,
  );
  const payment = await send(`/bookings/${paid.id}/payments`, 'payment:paid', {}, guestToken);
  if (payment.sandboxCompleteUrl) await app.inject({ method: 'POST', url: payment.sandboxCompleteUrl });
  await send(
    '/bookings',
    'booking:held',
    { roomId: roomIds.get('M01'), start: at(21 * 60), durationMinutes: 180, partySize: 6 },
    guestToken,
  );
}

/** A busy night to try: the business date a week ahead opens for booking at the top of the next hour but one. */
async function demoRelease(app: FastifyInstance, managerToken: string): Promise<void> {
  const now = new Date();
  const date = addDays(businessDateOf(now, demoVenue), 7);
  const opensAt = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const res = await app.inject({
    method: 'PUT',
    url: `/releases/${date}`,
    payload: { opensAt: opensAt.toISOString() },
    headers: { authorization: `Bearer ${managerToken}` },
  });
  if (res.statusCode !== 200) throw new Error(`demo seed release failed: ${res.body}`);
}

/**
 * Loads the demo venue through the same HTTP commands a user would send, so the
 * demo data is events like any other. The one exception is the first admin's
 * role, which nobody could grant over HTTP yet. Each command carries a fixed
 * Idempotency-Key, so a start that died half-way resumes without duplicates; a
 * marker stream makes later starts skip the whole thing.
 */
export async function seedDemo(app: FastifyInstance, store: EventStore, logger: Logger): Promise<void> {
  if ((await store.readStream(MARKER_STREAM)).version > 0n) {
    logger.info('demo data already loaded');
    return;
  }
  const send: Send = async (url, key, payload, token) => {
    const headers: Record<string, string> = { 'idempotency-key': `demo-seed:${key}` };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await app.inject({ method: 'POST', url, payload, headers });
    // Already there from an earlier, interrupted seed whose keys have expired: fine.
    if (res.statusCode === 409) return res.json<DemoReply>();
    if (res.statusCode >= 300) throw new Error(`demo seed ${url} ${key} failed: ${res.statusCode} ${res.body}`);
    return res.json<DemoReply>();
  };
  const login = async (email: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: DEMO_PASSWORD, deviceId: 'demo-seed' },
    });
    if (res.statusCode !== 200) throw new Error(`demo seed login ${email} failed: ${res.body}`);
    return res.json<{ accessToken: string; user: { id: string } }>();
  };

  for (const a of accounts) await send('/auth/register', `account:${a.email}`, { email: a.email, password: DEMO_PASSWORD, name: a.name });
  const admin = await login('admin@demo.ktv');
  await grantRolesAsSystem(store, admin.user.id, ['admin']);
  await send(`/users/${admin.user.id}/roles`, 'role:admin@demo.ktv', { revoke: ['guest'] }, admin.accessToken);
  for (const a of accounts.filter((x) => x.role !== 'admin' && x.role !== 'guest')) {
    const { user } = await login(a.email);
    await send(`/users/${user.id}/roles`, `role:${a.email}`, { grant: [a.role], revoke: ['guest'] }, admin.accessToken);
  }
  const manager = await login('manager@demo.ktv');
  for (const t of roomTypes) await send('/room-types', `room-type:${t.id}`, t, manager.accessToken);
  const roomIds = new Map<string, string>();
  for (const r of rooms) roomIds.set(r.name, (await send('/rooms', `room:${r.name}`, r, manager.accessToken)).id);
  const venue = await app.inject({
    method: 'PUT',
    url: '/venue',
    payload: demoVenue,
    headers: { authorization: `Bearer ${manager.accessToken}` },
  });
  if (venue.statusCode !== 200) throw new Error(`demo seed venue failed: ${venue.body}`);
  await send('/rate-cards', 'rate-card:1', demoRateCard, manager.accessToken);
  // Earned levels: ¥2,000 / ¥10,000 / ¥50,000 spent over a year.
  const levels = await app.inject({
    method: 'PUT',
    url: '/membership/levels',
    payload: { periodDays: 365, thresholds: { silver: 200_000, gold: 1_000_000, black: 5_000_000 } },
    headers: { authorization: `Bearer ${manager.accessToken}` },
  });
  if (levels.statusCode !== 200) throw new Error(`demo seed membership levels failed: ${levels.body}`);
  for (const [i, p] of products.entries()) await send('/products', `product:${i}`, p, manager.accessToken);
  // 储值: top up ¥500, get ¥50; top up ¥1,000, get ¥200; the bonus valid a year.
  const tiers = await app.inject({
    method: 'PUT',
    url: '/stored-value/bonus-rules',
    payload: {
      tiers: [
        { from: 50_000, bonus: 5_000, validDays: 365 },
        { from: 100_000, bonus: 20_000, validDays: 365 },
      ],
    },
    headers: { authorization: `Bearer ${manager.accessToken}` },
  });
  if (tiers.statusCode !== 200) throw new Error(`demo seed bonus tiers failed: ${tiers.body}`);
  await demoRelease(app, manager.accessToken);
  await demoBookings(app, send, (await login('guest@demo.ktv')).accessToken, roomIds);
  await store.appendToStream(
    MARKER_STREAM,
    [{ id: randomUUID(), type: 'DemoDataLoaded', data: { accounts: accounts.length, rooms: rooms.length, roomTypes: roomTypes.length } }],
    'any',
  );
  logger.info({ accounts: accounts.length, rooms: rooms.length, roomTypes: roomTypes.length }, 'demo data loaded');
}

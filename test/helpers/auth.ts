import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Role } from '../../src/auth/permissions.js';
import { grantRolesAsSystem } from '../../commands/users/bootstrap.js';

export type SignedIn = { userId: string; email: string; accessToken: string; refreshToken: string; auth: { authorization: string } };

export const PASSWORD = 'correct horse battery';

/** Registers a fresh account with `role`, signs it in, and returns its tokens. */
export async function signUp(app: FastifyInstance, store: EventStore, role: Role, deviceId = 'test-device'): Promise<SignedIn> {
  const email = `${role}-${randomUUID()}@test.ktv`;
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD, name: `Test ${role}` } });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
  const { userId } = reg.json<{ userId: string }>();
  if (role !== 'guest') await grantRolesAsSystem(store, userId, [role], ['guest']);
  return signIn(app, email, userId, deviceId);
}

export async function signIn(app: FastifyInstance, email: string, userId: string, deviceId = 'test-device'): Promise<SignedIn> {
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD, deviceId } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const body = login.json<{ accessToken: string; refreshToken: string }>();
  return {
    userId,
    email,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
  };
}

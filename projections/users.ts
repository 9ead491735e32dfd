import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { AuthAuditEvent, SessionEvent, UserEvent } from '../src/events/users.js';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  roles: string[];
  membership_level: string;
  /** When an admin disabled the account; null while it may sign in. */
  disabled_at: Date | null;
  registered_via: string;
  registered_at: Date;
  updated_at: Date;
}

export interface SessionsTable {
  session_id: string;
  user_id: string;
  device_id: string;
  method: string;
  ip: string;
  started_at: Date;
  last_used_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface AuthAuditTable {
  event_id: string;
  user_id: string | null;
  type: string;
  detail: unknown;
  at: Date;
}

export type UsersDatabase = { users: UsersTable; sessions: SessionsTable; auth_audit: AuthAuditTable };

type Handled = UserEvent | SessionEvent | AuthAuditEvent;

/** Audited: every event of these types is also a row in `auth_audit`. */
const AUDITED = new Set([
  'RolesChanged',
  'MembershipLevelChanged',
  'MembershipLevelEarned',
  'SessionStarted',
  'SessionEnded',
  'LoginFailed',
  'ExternalIdentityLinked',
  'AccountDisabled',
  'AccountEnabled',
  'PasswordResetIssued',
  'PasswordChanged',
  'EmailChanged',
]);

/**
 * What an audit row shows of its event: everything but secrets. A refresh token's hash is a
 * credential check, not an audit fact, and analysts and the audit route read this table.
 */
function auditDetail(data: Record<string, unknown>): Record<string, unknown> {
  const { refreshTokenHash: _secret, ...shown } = data;
  return shown;
}

/** Accounts (`rm.users`), device sessions (`rm.sessions`) and the sign-in audit trail (`rm.auth_audit`). */
export const usersProjection = defineProjection<UsersDatabase>({
  name: 'users',
  // 2: audit rows no longer copy the refresh token's hash; the rebuild drops the ones version 1 wrote.
  // 3: accounts disabled and enabled (`users.disabled_at`), password resets and earned levels in the audit trail.
  // 4: e-mail changes (`users.email`, and in the audit trail).
  version: 4,
  tables: ['users', 'sessions', 'auth_audit'],
  eventTypes: [
    'UserRegistered',
    'ProfileUpdated',
    'RolesChanged',
    'MembershipLevelChanged',
    'MembershipLevelEarned',
    'ExternalIdentityLinked',
    'AccountDisabled',
    'AccountEnabled',
    'PasswordResetIssued',
    'PasswordChanged',
    'EmailChanged',
    'SessionStarted',
    'SessionRefreshed',
    'SessionEnded',
    'LoginFailed',
  ],
  async setup(db) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('roles', sql`text[]`, (c) => c.notNull())
      .addColumn('membership_level', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'timestamptz')
      .addColumn('registered_via', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_phone').on('users').column('phone').execute();
    await db.schema
      .createTable('sessions')
      .addColumn('session_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('last_used_at', 'timestamptz', (c) => c.notNull())
      .addColumn('ended_at', 'timestamptz')
      .addColumn('end_reason', 'text')
      .execute();
    await db.schema.createIndex('sessions_by_user').on('sessions').columns(['user_id', 'started_at']).execute();
    await db.schema
      .createTable('auth_audit')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('detail', 'jsonb', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('auth_audit_by_user').on('auth_audit').columns(['user_id', 'at']).execute();
    await db.schema.createIndex('auth_audit_by_time').on('auth_audit').column('at').execute();
  },
  async apply(trx: Kysely<UsersDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      const at = new Date(e.data.at);
      if (AUDITED.has(e.type)) {
        await trx
          .insertInto('auth_audit')
          .values({
            event_id: recorded.id,
            user_id: e.data.userId,
            type: e.type,
            detail: sql`${JSON.stringify(auditDetail(e.data))}::jsonb`,
            at,
          })
          .onConflict((oc) => oc.column('event_id').doNothing())
          .execute();
      }
      switch (e.type) {
        case 'UserRegistered':
          await trx
            .insertInto('users')
            .values({
              id: e.data.userId,
              email: e.data.email,
              name: e.data.name,
              phone: e.data.phone,
              roles: [...e.data.roles],
              membership_level: 'regular',
              disabled_at: null,
              registered_via: e.data.via,
              registered_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        case 'ProfileUpdated':
          await trx
            .updateTable('users')
            .set({ name: e.data.name, phone: e.data.phone, updated_at: at })
            .where('id', '=', e.data.userId)
            .execute();
          break;
        case 'EmailChanged':
          await trx.updateTable('users').set({ email: e.data.email, updated_at: at }).where('id', '=', e.data.userId).execute();
          break;
        case 'RolesChanged':
          await trx
            .updateTable('users')
            .set({ roles: [...e.data.roles], updated_at: at })
            .where('id', '=', e.data.userId)
            .execute();
          break;
        case 'MembershipLevelChanged':
        case 'MembershipLevelEarned':
          await trx.updateTable('users').set({ membership_level: e.data.level, updated_at: at }).where('id', '=', e.data.userId).execute();
          break;
        case 'AccountDisabled':
        case 'AccountEnabled':
          await trx
            .updateTable('users')
            .set({ disabled_at: e.type === 'AccountDisabled' ? at : null, updated_at: at })
            .where('id', '=', e.data.userId)
            .execute();
          break;
        case 'ExternalIdentityLinked':
        case 'PasswordResetIssued':
        case 'PasswordChanged':
        case 'LoginFailed':
          break;
        case 'SessionStarted':
          await trx
            .insertInto('sessions')
            .values({
              session_id: e.data.sessionId,
              user_id: e.data.userId,
              device_id: e.data.deviceId,
              method: e.data.method,
              ip: e.data.ip,
              started_at: at,
              last_used_at: at,
              ended_at: null,
              end_reason: null,
            })
            .onConflict((oc) => oc.column('session_id').doNothing())
            .execute();
          break;
        case 'SessionRefreshed':
          await trx.updateTable('sessions').set({ last_used_at: at }).where('session_id', '=', e.data.sessionId).execute();
          break;
        case 'SessionEnded':
          await trx
            .updateTable('sessions')
            .set({ ended_at: at, end_reason: e.data.reason })
            .where('session_id', '=', e.data.sessionId)
            .where('ended_at', 'is', null)
            .execute();
          break;
        default: {
          const never: never = e;
          throw new Error(`users projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});

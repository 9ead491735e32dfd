import { createHash, randomBytes } from 'node:crypto';
import { handle, load } from '../../src/eventstore/decide.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../src/errors.js';
import { PASSWORD_PROBLEM_MESSAGES, hashPassword, passwordProblem } from '../../src/auth/passwords.js';
import { userStream } from '../../src/events/users.js';
import { userDecider } from '../users/decider.js';
import type { SessionContext } from '../sessions/open.js';

type ResetContext = Pick<SessionContext, 'store' | 'db' | 'clock' | 'config'>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

const invalid = () =>
  new BadRequestError('invalid_reset_token', 'This reset token is unknown, already used or expired; ask an admin for a new one.');

/**
 * A one-time token for a user, made by an admin: 32 random bytes, of which only
 * the SHA-256 is stored. Issuing one withdraws the user's earlier ones, so at
 * most one is ever live. The event records who issued it and until when.
 */
export async function issuePasswordReset(ctx: ResetContext, userId: string, by: string, metadata: EventMetadata) {
  const now = ctx.clock();
  const expiresAt = new Date(now.getTime() + ctx.config.passwordResetTtlMinutes * 60_000);
  const { state } = await handle(
    ctx.store,
    userStream(userId),
    userDecider,
    { type: 'IssuePasswordReset', userId, by, expiresAt, now },
    metadata,
  );
  if (state.status !== 'registered') throw new NotFoundError('user', userId);
  const token = randomBytes(32).toString('base64url');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
    await trx
      .insertInto('password_resets')
      .values({ token_hash: hashToken(token), user_id: userId, expires_at: expiresAt })
      .execute();
  });
  return { token, expiresAt };
}

/**
 * Sets a new password with a token. The password is checked before the token is
 * spent (a too-short password does not cost the token); then whoever deletes the
 * row owns it, so two uses at once give one reset. Returns the user's id.
 */
export async function resetPassword(ctx: ResetContext, token: string, password: string, metadata: EventMetadata): Promise<string> {
  const tokenHash = hashToken(token);
  const now = ctx.clock();
  const row = await ctx.db
    .selectFrom('password_resets')
    .select(['user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() <= now.getTime()) throw invalid();
  const { state: user } = await load(ctx.store, userStream(row.user_id), userDecider);
  if (user.status !== 'registered') throw invalid();
  const problem = passwordProblem(password, user.email);
  if (problem) throw new ValidationError([{ field: 'password', message: PASSWORD_PROBLEM_MESSAGES[problem] }]);
  const passwordHash = await hashPassword(password);
  const spent = await ctx.db.deleteFrom('password_resets').where('token_hash', '=', tokenHash).returning('user_id').executeTakeFirst();
  if (!spent) throw invalid();
  await ctx.db
    .insertInto('credentials')
    .values({ user_id: row.user_id, password_hash: passwordHash })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: passwordHash, updated_at: now }))
    .execute();
  await handle(
    ctx.store,
    userStream(row.user_id),
    userDecider,
    { type: 'RecordPasswordChange', userId: row.user_id, via: 'reset_token', now },
    metadata,
  );
  return row.user_id;
}

import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import { handle } from '../../src/eventstore/decide.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { currentUser } from '../../src/auth/current-user.js';
import { PASSWORD_PROBLEM_MESSAGES, hashPassword, passwordProblem, verifyPassword } from '../../src/auth/passwords.js';
import { isPlaceholderEmail, normaliseEmail, userStream } from '../../src/events/users.js';
import { claimEmail } from './register.js';
import { userDecider } from './decider.js';

export type EmailChange = Readonly<{ email: string; password?: string | undefined }>;

/**
 * A user changes their own e-mail address. An account with a password confirms the change with it,
 * so a session taken from an unlocked phone cannot move the account to another address. An account
 * without one (made by Sign in with WeChat, its address a placeholder) may set its first password
 * with its first real address, and can then also sign in with the two. Everything is checked
 * before anything is written; then the steps are idempotent, so a retry after a crash finishes:
 * the new address is claimed (`409 email_taken`), the password stored, the change recorded on the
 * user's stream. The old address stays claimed by the user's id but counts as given up: it no
 * longer signs in, and another account may claim it (see `claimEmail`).
 */
export async function changeEmail(
  ctx: Readonly<{ store: EventStore; db: Kysely<PlatformDatabase> }>,
  userId: string,
  change: EmailChange,
  metadata: EventMetadata,
  now: Date,
): Promise<string> {
  const email = normaliseEmail(change.email);
  if (isPlaceholderEmail(email))
    throw new ValidationError([{ field: 'email', message: 'An address under .invalid receives no mail; give a real one.' }]);
  const user = await currentUser(ctx.store, userId);
  if (!user) throw new NotFoundError('user', userId);
  const stored = await ctx.db.selectFrom('credentials').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
  let newPasswordHash: string | null = null;
  if (stored) {
    if (change.password === undefined)
      throw new ValidationError([{ field: 'password', message: 'Your current password confirms the change.' }]);
    if (!(await verifyPassword(change.password, stored.password_hash)))
      throw new ForbiddenError('The password is not the one of this account.', 'wrong_password');
  } else if (change.password !== undefined) {
    const problem = passwordProblem(change.password, email);
    if (problem) throw new ValidationError([{ field: 'password', message: PASSWORD_PROBLEM_MESSAGES[problem] }]);
    newPasswordHash = await hashPassword(change.password);
  }
  await claimEmail(ctx.store, userId, email, metadata, now);
  if (newPasswordHash) {
    await ctx.db
      .insertInto('credentials')
      .values({ user_id: userId, password_hash: newPasswordHash })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    await handle(
      ctx.store,
      userStream(userId),
      userDecider,
      { type: 'RecordPasswordChange', userId, via: 'set_with_email', now },
      metadata,
    );
  }
  await handle(ctx.store, userStream(userId), userDecider, { type: 'ChangeEmail', userId, email, now }, metadata);
  return email;
}

import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import { ConflictError } from '../../src/errors.js';
import { handle, load } from '../../src/eventstore/decide.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { currentUser } from '../../src/auth/current-user.js';
import { emailClaimStream, normaliseEmail, userStream } from '../../src/events/users.js';
import { newId } from '../../src/ids.js';
import { ABANDONED_CLAIM_MS, emailClaimDecider } from './email-claim.js';
import { userDecider } from './decider.js';

export type Registration = Readonly<{ email: string; name: string; phone: string | null; passwordHash: string | null; via: string }>;

/**
 * The user an address belongs to, read from the claim stream (consistent, unlike a read model): the
 * user who claimed it, while it is still their address (a user who changed theirs gave it up).
 */
export async function userIdByEmail(store: EventStore, email: string): Promise<string | null> {
  const { state } = await load(store, emailClaimStream(email), emailClaimDecider);
  if (state.status !== 'claimed') return null;
  const holder = await currentUser(store, state.userId);
  return holder?.email === normaliseEmail(email) ? state.userId : null;
}

/**
 * Claims an address for a user (`409 email_taken` when another account has it). A claim may be taken
 * over once it is old enough that no registration or change can still be on its way to the account
 * that made it, when that account never got registered (the process died in between) or has since
 * changed to another address.
 */
export async function claimEmail(store: EventStore, userId: string, email: string, metadata: EventMetadata, now: Date): Promise<void> {
  const claim = await load(store, emailClaimStream(email), emailClaimDecider);
  let takeOverFrom: string | null = null;
  if (claim.state.status === 'claimed' && claim.state.userId !== userId) {
    const settled = now.getTime() - claim.state.at.getTime() > ABANDONED_CLAIM_MS;
    if (!settled || (await currentUser(store, claim.state.userId))?.email === normaliseEmail(email))
      throw new ConflictError('email_taken', 'An account with this e-mail address already exists.');
    takeOverFrom = claim.state.userId;
  }
  await handle(store, emailClaimStream(email), emailClaimDecider, { userId, now, takeOverFrom }, metadata);
}

/**
 * Registration as a process of idempotent steps: credentials row, e-mail claim,
 * then the user's stream. A crash between steps leaves at worst an orphan
 * credentials row or a claim without a user, which a later registration of the
 * same address takes over.
 */
export async function registerUser(
  store: EventStore,
  db: Kysely<PlatformDatabase>,
  r: Registration,
  metadata: EventMetadata,
  now: Date,
): Promise<string> {
  const userId = newId<'user'>();
  const email = normaliseEmail(r.email);
  if (r.passwordHash) await db.insertInto('credentials').values({ user_id: userId, password_hash: r.passwordHash }).execute();
  try {
    await claimEmail(store, userId, email, metadata, now);
  } catch (err) {
    await db.deleteFrom('credentials').where('user_id', '=', userId).execute();
    throw err;
  }
  await handle(
    store,
    userStream(userId),
    userDecider,
    { type: 'Register', userId, email, name: r.name, phone: r.phone, via: r.via, now },
    metadata,
  );
  return userId;
}

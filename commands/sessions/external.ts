import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { authAuditStream, type AuthAuditEvent, type IdentityClaimEvent } from '../../src/events/users.js';

/**
 * The first `ExternalIdentityClaimed` on a `useridentity-<hash>` stream ties that
 * provider's subject to one user for good, so a returning user is found by the
 * subject (stable) rather than by an e-mail address (which can change).
 */
export type IdentityClaim = { userId: string } | null;

export const identityClaimDecider: Decider<IdentityClaim, { userId: string; provider: string; now: Date }, IdentityClaimEvent> = {
  initialState: () => null,
  evolve: (state, e) => state ?? { userId: e.data.userId },
  decide: (c, state) =>
    state ? [] : [{ type: 'ExternalIdentityClaimed', data: { userId: c.userId, provider: c.provider, at: c.now.toISOString() } }],
};

/** A refused sign-in with an external provider, audited like a failed password login (it names no account). */
export async function auditRefusedSignIn(store: EventStore, clock: Clock, ip: string): Promise<void> {
  const event: AuthAuditEvent = {
    type: 'LoginFailed',
    data: { email: '', userId: null, ip, reason: 'oauth_refused', at: clock().toISOString() },
  };
  await store.appendToStream(authAuditStream(clock()), [{ id: randomUUID(), ...event }], 'any');
}

import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { EmailClaimEvent } from '../../src/events/users.js';

export type ClaimState = { status: 'free' } | { status: 'claimed'; userId: string; at: Date };

/**
 * The claim that makes an address unique: the first `EmailClaimed` on the
 * address's stream wins, so racing registrations give one account. A claim whose
 * user never got registered (the process died in between), or who has changed to
 * another address since, may be taken over (see `claimEmail`).
 */
export type ClaimEmail = Readonly<{ userId: string; now: Date; takeOverFrom: string | null }>;

export const emailClaimDecider: Decider<ClaimState, ClaimEmail, EmailClaimEvent> = {
  initialState: () => ({ status: 'free' }),
  evolve: (_state, e) => ({ status: 'claimed', userId: e.data.userId, at: new Date(e.data.at) }),
  decide: (command, state) => {
    if (state.status === 'claimed') {
      if (state.userId === command.userId) return [];
      if (state.userId !== command.takeOverFrom)
        throw new ConflictError('email_taken', 'An account with this e-mail address already exists.');
    }
    return [{ type: 'EmailClaimed', data: { userId: command.userId, at: command.now.toISOString() } }];
  },
};

/** How long a claim without a registered user is left alone: the registration may still be under way. */
export const ABANDONED_CLAIM_MS = 60_000;

import t from 'tap';
import { emailClaimDecider, type ClaimEmail } from '../../../commands/users/email-claim.js';
import { ConflictError } from '../../../src/errors.js';
import type { EmailClaimEvent } from '../../../src/events/users.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** The claim that makes an e-mail address unique: the first claim wins; an abandoned one may be taken over. */
const spec = DeciderSpecification.for(emailClaimDecider);

const now = new Date('2026-03-13T09:00:00+08:00');
const claimed = (userId: string, at = now): EmailClaimEvent => ({ type: 'EmailClaimed', data: { userId, at: at.toISOString() } });
const claim = (userId: string, takeOverFrom: string | null = null): ClaimEmail => ({ userId, now, takeOverFrom });
const earlier = new Date('2026-03-13T08:00:00+08:00');

t.test('email claim: a free address is claimed by the registering user', async (t) => {
  spec(t)
    .given([])
    .when(claim('user-1'))
    .then([claimed('user-1')]);
});

t.test('email claim: the same user claiming again (a retried registration) records nothing', async (t) => {
  spec(t)
    .given([claimed('user-1', earlier)])
    .when(claim('user-1'))
    .thenNothing();
});

t.test('email claim: an address claimed by someone else is refused with email_taken', async (t) => {
  spec(t)
    .given([claimed('user-1', earlier)])
    .when(claim('user-2'))
    .thenThrows('email_taken', { is: ConflictError, status: 409 });
});

t.test('email claim: an abandoned claim is taken over when its holder is named', async (t) => {
  spec(t)
    .given([claimed('user-1', earlier)])
    .when(claim('user-2', 'user-1'))
    .then([claimed('user-2')]);
});

t.test('email claim: a take-over naming the wrong holder is refused with email_taken', async (t) => {
  spec(t)
    .given([claimed('user-1', earlier)])
    .when(claim('user-3', 'user-2'))
    .thenThrows('email_taken', { is: ConflictError, status: 409 });
});

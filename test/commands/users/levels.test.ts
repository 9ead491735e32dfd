import t from 'tap';
import { rulesDecider, spendDecider } from '../../../commands/users/levels.js';
import { userDecider } from '../../../commands/users/decider.js';
import { UnprocessableError } from '../../../src/errors.js';
import type { MembershipRulesEvent, UserEvent } from '../../../src/events/users.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

const now = new Date('2026-03-13T09:00:00+08:00');
const at = now.toISOString();
const thresholds = { silver: 100_000, gold: 500_000, black: 2_000_000 };
const rulesSet: MembershipRulesEvent = { type: 'MembershipLevelsSet', data: { periodDays: 365, thresholds, by: 'manager', at } };

t.test('rules: set by a manager; each level needs more than the one below; the same rules again record nothing', async (t) => {
  const rules = DeciderSpecification.for(rulesDecider);
  rules(t).given([]).when({ periodDays: 365, thresholds, by: 'manager', now }).then([rulesSet]);
  rules(t).given([rulesSet]).when({ periodDays: 365, thresholds, by: 'manager', now }).thenNothing();
  rules(t)
    .given([])
    .when({ periodDays: 365, thresholds: { silver: 5, gold: 5, black: 9 }, by: 'manager', now })
    .thenThrows('thresholds_not_ascending', { is: UnprocessableError, status: 422 });
});

t.test('spend: a booking counts once', async (t) => {
  const spend = DeciderSpecification.for(spendDecider);
  const recorded = { type: 'MemberSpendRecorded', data: { userId: 'u', bookingId: 'b1', amount: 8800, at } } as const;
  spend(t).given([]).when({ userId: 'u', bookingId: 'b1', amount: 8800, at: now }).then([recorded]);
  spend(t).given([recorded]).when({ userId: 'u', bookingId: 'b1', amount: 8800, at: now }).thenNothing('the same check-out seen again');
});

t.test('earn: the level follows the spend, up and down, but never below a level set by hand', async (t) => {
  const user = DeciderSpecification.for(userDecider);
  const registered: UserEvent = {
    type: 'UserRegistered',
    data: { userId: 'u', email: 'u@x.io', name: 'U', phone: null, roles: ['guest'], via: 'password', at },
  };
  const earn = (earned: 'regular' | 'silver' | 'gold', spend: number) =>
    ({ type: 'Earn', userId: 'u', earned, spend, periodDays: 365, rulesVersion: 1, now }) as const;
  const earnedGold: UserEvent = {
    type: 'MembershipLevelEarned',
    data: { userId: 'u', level: 'gold', previous: 'regular', spend: 600_000, periodDays: 365, rulesVersion: 1, at },
  };
  user(t).given([registered]).when(earn('gold', 600_000)).then([earnedGold]);
  user(t).given([registered, earnedGold]).when(earn('gold', 700_000)).thenNothing('still gold');
  user(t)
    .given([registered, earnedGold])
    .when(earn('regular', 0))
    .then([
      {
        type: 'MembershipLevelEarned',
        data: { userId: 'u', level: 'regular', previous: 'gold', spend: 0, periodDays: 365, rulesVersion: 1, at },
      },
    ]);
  const setSilver: UserEvent = {
    type: 'MembershipLevelChanged',
    data: { userId: 'u', level: 'silver', previous: 'gold', reason: 'VIP', by: 'manager', at },
  };
  user(t)
    .given([registered, earnedGold, setSilver])
    .when(earn('regular', 0))
    .thenNothing('silver was set by hand: spend does not take it away');
  user(t)
    .given([registered, setSilver])
    .when(earn('gold', 600_000))
    .then([
      {
        type: 'MembershipLevelEarned',
        data: { userId: 'u', level: 'gold', previous: 'silver', spend: 600_000, periodDays: 365, rulesVersion: 1, at },
      },
    ]);
});

import t from 'tap';
import { ledgerProjection, type LedgerDatabase } from '../../../projections/ledger/journal.js';
import { openDateFor } from '../../../projections/ledger/periods.js';
import type { LedgerEvent } from '../../../src/events/ledger.js';
import { ProjectionSpecification } from '../../helpers/projection-spec.js';
import {
  BUSINESS_DATE,
  at,
  confirmed,
  held,
  local,
  paymentStarted,
  paymentSucceeded,
  refundFailed,
  refundRequested,
  refundSucceeded,
} from '../fixtures.js';

/**
 * The books' own events in the journal: a closed period moves every later posting dated inside it
 * to the first open business date after it (naming the original date), a reopened one takes
 * postings again, and a manual entry is written as `manual`, with its memo as the description and
 * no booking. BUSINESS_DATE is 2026-03-13.
 */
const spec = ProjectionSpecification.for<LedgerDatabase>(t, ledgerProjection);

const closed = (from: string, to: string): LedgerEvent => ({
  type: 'PeriodClosed',
  data: { from, to, by: 'user-acc', at: local('23:00') },
});
const reopened = (from: string, to: string): LedgerEvent => ({
  type: 'PeriodReopened',
  data: { from, to, reason: 'audit correction', by: 'user-admin', at: local('23:30') },
});
const posted = (
  entryId: string,
  date: string,
  over: Partial<Extract<LedgerEvent, { type: 'JournalEntryPosted' }>['data']> = {},
): LedgerEvent => ({
  type: 'JournalEntryPosted',
  data: {
    entryId,
    date,
    memo: 'accrue March rent',
    lines: [
      { account: '6003', debit: 50000, credit: 0 },
      { account: '1001', debit: 0, credit: 50000 },
    ],
    attachments: ['invoice 2026-031'],
    reverses: null,
    by: 'user-acc',
    at: local('22:00'),
    ...over,
  },
});
const depositPaid = [held(), paymentStarted('pay-1', 8820), paymentSucceeded('pay-1', 8820), confirmed(8820)];

t.test('openDateFor skips every closed period the date falls in, back to back', async (t) => {
  const periods = [
    { from: '2026-03-01', to: '2026-03-13' },
    { from: '2026-03-14', to: '2026-03-14' },
  ];
  t.equal(openDateFor('2026-02-28', periods), '2026-02-28', 'an open date stays');
  t.equal(openDateFor('2026-03-05', periods), '2026-03-15', 'past both periods');
  t.equal(openDateFor('2026-03-14', periods), '2026-03-15');
});

t.test('PeriodClosed is kept in ledger_periods and posts nothing', async (t) => {
  const s = spec(t).given([closed('2026-03-01', '2026-03-13')]);
  await s.expectRows('ledger_periods', [{ from_date: '2026-03-01', to_date: '2026-03-13', closed_by: 'user-acc', reopened_at: null }]);
  await s.expectRows('journal_entries', []);
});

t.test('a refund arriving after its date was closed posts on the first open date, naming the original', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([closed('2026-03-01', BUSINESS_DATE)])
    .when([refundSucceeded('pay-1', 'rf-1', 8820, { hhmm: '19:40' })]);
  await s.expectRows(
    'journal_entries',
    [
      {
        business_date: BUSINESS_DATE,
        event_type: 'PaymentSucceeded',
        original_date: null,
        source: 'automatic',
        description: 'wechatpay deposit received',
      },
      {
        business_date: '2026-03-14',
        event_type: 'RefundSucceeded',
        original_date: BUSINESS_DATE,
        source: 'automatic',
        description: 'wechatpay refund (late posting for 2026-03-13, a closed date)',
      },
    ],
    { orderBy: 'business_date' },
  );
  await s.expectRows(
    'journal_lines',
    [],
    { where: { business_date: BUSINESS_DATE, account: '1012', credit: 8820 } },
    'no line inside the closed period',
  );
});

t.test('after a reopening, postings are dated on their own date again, and the reopening is kept with its reason', async (t) => {
  const s = spec(t)
    .given([...depositPaid, closed('2026-03-01', BUSINESS_DATE), reopened('2026-03-01', BUSINESS_DATE)])
    .when([refundSucceeded('pay-1', 'rf-1', 8820)]);
  await s.expectRows('journal_entries', [{ business_date: BUSINESS_DATE, original_date: null }], {
    where: { event_type: 'RefundSucceeded' },
  });
  await s.expectRows('ledger_periods', [{ reopened_by: 'user-admin', reopen_reason: 'audit correction' }]);
});

t.test('JournalEntryPosted writes a manual entry under its own id with its memo, attachments and no booking', async (t) => {
  const s = spec(t).given([posted('je-1', '2026-03-12')]);
  await s.expectRows('journal_entries', [
    {
      entry_id: 'je-1',
      business_date: '2026-03-12',
      booking_id: null,
      event_type: 'JournalEntryPosted',
      source: 'manual',
      description: 'accrue March rent',
      attachments: ['invoice 2026-031'],
      reverses: null,
      posted_by: 'user-acc',
    },
  ]);
  await s.expectRows('journal_lines', [
    { entry_id: 'je-1', line_no: 1, account: '6003', debit: 50000, credit: 0, booking_id: null },
    { entry_id: 'je-1', line_no: 2, account: '1001', debit: 0, credit: 50000, booking_id: null },
  ]);
});

t.test('a reversing entry is its own entry pointing at the original; the two net to zero', async (t) => {
  const reversal = posted('je-2', '2026-03-13', {
    memo: 'reversal of je-1',
    reverses: 'je-1',
    attachments: [],
    lines: [
      { account: '6003', debit: 0, credit: 50000 },
      { account: '1001', debit: 50000, credit: 0 },
    ],
  });
  const s = spec(t).given([posted('je-1', '2026-03-12'), reversal]);
  await s.expectRows('journal_entries', [{ entry_id: 'je-2', reverses: 'je-1', source: 'manual' }], { where: { entry_id: 'je-2' } });
  const net = await s.query((db) =>
    db
      .selectFrom('journal_lines')
      .select(['account', (eb) => eb.fn.sum<string>(eb('debit', '-', eb.ref('credit'))).as('net')])
      .groupBy('account')
      .orderBy('account')
      .execute(),
  );
  t.same(
    net.map((r) => Number(r.net)),
    [0, 0],
    'every account back to zero',
  );
});

t.test('refunds are kept with their state: requested, then succeeded or failed', async (t) => {
  const s = spec(t)
    .given([...depositPaid, refundRequested('pay-1', 'rf-1', 8820, '19:30'), refundRequested('pay-1', 'rf-2', 100, '19:35')])
    .when([refundSucceeded('pay-1', 'rf-1', 8820, { hhmm: '19:40' }), refundFailed('pay-1', 'rf-2', '19:45')]);
  await s.expectRows('ledger_refunds', [
    {
      refund_id: 'rf-1',
      amount: 8820,
      status: 'succeeded',
      business_date: BUSINESS_DATE,
      requested_at: at('19:30'),
      settled_at: at('19:40'),
      failure: null,
    },
    {
      refund_id: 'rf-2',
      amount: 100,
      status: 'failed',
      business_date: BUSINESS_DATE,
      requested_at: at('19:35'),
      settled_at: at('19:45'),
      failure: 'account closed',
    },
  ]);
});

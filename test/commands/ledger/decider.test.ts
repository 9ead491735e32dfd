import t from 'tap';
import { booksDecider, type BooksCommand } from '../../../commands/ledger/decider.js';
import type { LedgerEvent } from '../../../src/events/ledger.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../src/errors.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** The books (`ledger-books`): period close and reopening, manual entries and their reversal. Today is 2026-03-13. */
const spec = DeciderSpecification.for(booksDecider);

const now = new Date('2026-03-13T12:00:00.000Z');
const at = now.toISOString();
const who = { by: 'user-acc', now, today: '2026-03-13' };
const ACCOUNTS = new Set(['1001', '6003']);
const balanced = [
  { account: '6003', debit: 500, credit: 0 },
  { account: '1001', debit: 0, credit: 500 },
];
const close = (from: string, to: string): BooksCommand => ({ type: 'ClosePeriod', from, to, ...who });
const postOn = (date: string, lines = balanced): BooksCommand => ({
  type: 'PostEntry',
  entryId: 'je-1',
  date,
  memo: 'rent',
  lines,
  attachments: ['inv-1'],
  accounts: ACCOUNTS,
  ...who,
});
const closed = (from: string, to: string): LedgerEvent => ({ type: 'PeriodClosed', data: { from, to, by: 'user-acc', at } });
const posted: LedgerEvent = {
  type: 'JournalEntryPosted',
  data: { entryId: 'je-1', date: '2026-03-10', memo: 'rent', lines: balanced, attachments: ['inv-1'], reverses: null, by: 'user-acc', at },
};
const reverse = (date = '2026-03-13'): BooksCommand => ({
  type: 'ReverseEntry',
  entryId: 'je-2',
  reverses: 'je-1',
  date,
  memo: 'undo rent',
  ...who,
});

t.test('ClosePeriod up to today is recorded', async (t) => {
  spec(t)
    .given([])
    .when(close('2026-03-01', '2026-03-13'))
    .then([closed('2026-03-01', '2026-03-13')]);
});

t.test('ClosePeriod past today is refused: the future has not happened', async (t) => {
  spec(t).given([]).when(close('2026-03-01', '2026-03-14')).thenThrows('period_in_future', { is: UnprocessableError });
});

t.test('ClosePeriod of the same period again records nothing; an overlapping one is closed as asked', async (t) => {
  spec(t)
    .given([closed('2026-03-01', '2026-03-10')])
    .when(close('2026-03-01', '2026-03-10'))
    .thenNothing();
  spec(t)
    .given([closed('2026-03-01', '2026-03-10')])
    .when(close('2026-03-10', '2026-03-12'))
    .then([closed('2026-03-10', '2026-03-12')]);
});

t.test('ReopenPeriod of a closed period records who and why; of anything else is 404', async (t) => {
  const reopen: BooksCommand = { type: 'ReopenPeriod', from: '2026-03-01', to: '2026-03-10', reason: 'late invoice', ...who };
  spec(t)
    .given([closed('2026-03-01', '2026-03-10')])
    .when(reopen)
    .then([{ type: 'PeriodReopened', data: { from: '2026-03-01', to: '2026-03-10', reason: 'late invoice', by: 'user-acc', at } }]);
  spec(t).given([]).when(reopen).thenThrows('not_found', { is: NotFoundError });
});

t.test('PostEntry of a balanced entry on an open date is recorded', async (t) => {
  spec(t)
    .given([])
    .when(postOn('2026-03-10'))
    .then([{ ...posted }]);
});

t.test('PostEntry is refused when unbalanced, on an unknown account, in a closed period or in the future', async (t) => {
  spec(t)
    .given([])
    .when(postOn('2026-03-10', [balanced[0]!, { account: '1001', debit: 0, credit: 499 }]))
    .thenThrows('unbalanced', { status: 422, detail: { debit: 500, credit: 499 } });
  spec(t)
    .given([])
    .when(postOn('2026-03-10', [balanced[0]!, { account: '9999', debit: 0, credit: 500 }]))
    .thenThrows('unknown_account', { status: 422 });
  spec(t)
    .given([])
    .when(postOn('2026-03-10', [{ account: '6003', debit: 500, credit: 500 }, balanced[1]!]))
    .thenThrows('validation_failed', { status: 422 });
  spec(t)
    .given([closed('2026-03-01', '2026-03-10')])
    .when(postOn('2026-03-10'))
    .thenThrows('period_closed', { status: 409, detail: { from: '2026-03-01', to: '2026-03-10' } });
  spec(t).given([]).when(postOn('2026-03-14')).thenThrows('date_in_future', { status: 422 });
});

t.test('ReverseEntry mirrors the original lines, once', async (t) => {
  const reversal: LedgerEvent = {
    type: 'JournalEntryPosted',
    data: {
      entryId: 'je-2',
      date: '2026-03-13',
      memo: 'undo rent',
      lines: [
        { account: '6003', debit: 0, credit: 500 },
        { account: '1001', debit: 500, credit: 0 },
      ],
      attachments: [],
      reverses: 'je-1',
      by: 'user-acc',
      at,
    },
  };
  spec(t).given([posted]).when(reverse()).then([reversal]);
  spec(t).given([posted, reversal]).when(reverse()).thenThrows('already_reversed', { is: ConflictError });
  spec(t).given([]).when(reverse()).thenThrows('not_found', { is: NotFoundError });
  spec(t)
    .given([posted, closed('2026-03-01', '2026-03-12')])
    .when(reverse('2026-03-12'))
    .thenThrows('period_closed', { status: 409 });
});

t.test('a single line is unbalanced, whatever its account', async (t) => {
  spec(t)
    .given([])
    .when(postOn('2026-03-10', [{ account: '9999', debit: 100, credit: 0 }]))
    .thenThrows('unbalanced', { status: 422 });
});

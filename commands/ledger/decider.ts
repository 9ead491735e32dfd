import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { LedgerEvent, ManualLine } from '../../src/events/ledger.js';

export type Period = Readonly<{ from: string; to: string }>;
type Closed = Period & Readonly<{ closedAt: string }>;

/** The books as the accountants left them: the closed periods, and each manual entry's lines and whether it was reversed. */
export type BooksState = Readonly<{
  closed: readonly Closed[];
  entries: ReadonlyMap<string, Readonly<{ lines: readonly ManualLine[]; reversed: boolean }>>;
}>;

type Who = Readonly<{ by: string; now: Date; /** The venue's current business date. */ today: string }>;

export type BooksCommand =
  | (Who & Readonly<{ type: 'ClosePeriod'; from: string; to: string }>)
  | (Who & Readonly<{ type: 'ReopenPeriod'; from: string; to: string; reason: string }>)
  | (Who &
      Readonly<{
        type: 'PostEntry';
        entryId: string;
        date: string;
        memo: string;
        lines: readonly ManualLine[];
        attachments: readonly string[];
        /** The accounts of the chart: a line on any other is refused. */
        accounts: ReadonlySet<string>;
      }>)
  | (Who & Readonly<{ type: 'ReverseEntry'; entryId: string; reverses: string; date: string; memo: string }>);

export const closedPeriodOf = (closed: readonly Period[], date: string): Period | undefined =>
  closed.find((p) => p.from <= date && date <= p.to);

function checkPeriod(from: string, to: string, today: string): void {
  if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
  if (to > today) throw new UnprocessableError('period_in_future', `A period can be closed up to the current business day (${today}).`);
}

function checkDate(closed: readonly Period[], date: string, today: string): void {
  if (date > today) throw new UnprocessableError('date_in_future', `An entry can be dated up to the current business day (${today}).`);
  const period = closedPeriodOf(closed, date);
  if (period) throw new ConflictError('period_closed', `${date} is in the closed period ${period.from}..${period.to}.`, { ...period });
}

/** Each line on one side only, debits equal to credits, every account in the chart (checked in that order). */
function checkLines(lines: readonly ManualLine[], accounts: ReadonlySet<string>): void {
  lines.forEach((l, i) => {
    if (l.debit > 0 === l.credit > 0)
      throw new ValidationError([{ field: `lines/${i}`, message: 'a line has either a debit or a credit above zero, not both' }]);
  });
  const debit = lines.reduce((s, l) => s + l.debit, 0);
  const credit = lines.reduce((s, l) => s + l.credit, 0);
  if (debit !== credit) throw new UnprocessableError('unbalanced', `Debits (${debit}) and credits (${credit}) differ.`, { debit, credit });
  lines.forEach((l, i) => {
    if (!accounts.has(l.account))
      throw new UnprocessableError('unknown_account', `Account ${l.account} is not in the chart of accounts (GET /ledger/accounts).`, {
        field: `lines/${i}/account`,
      });
  });
}

/**
 * Period close, reopening and manual entries (`ledger-books`). A manual entry is never changed or
 * deleted: it is undone by a reversing entry, which mirrors its lines and may be posted once.
 */
export const booksDecider: Decider<BooksState, BooksCommand, LedgerEvent> = {
  initialState: () => ({ closed: [], entries: new Map() }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'PeriodClosed':
        return { ...state, closed: [...state.closed, { from: event.data.from, to: event.data.to, closedAt: event.data.at }] };
      case 'PeriodReopened':
        return { ...state, closed: state.closed.filter((p) => p.from !== event.data.from || p.to !== event.data.to) };
      case 'JournalEntryPosted': {
        const entries = new Map(state.entries);
        entries.set(event.data.entryId, { lines: event.data.lines, reversed: false });
        const original = event.data.reverses === null ? undefined : entries.get(event.data.reverses);
        if (event.data.reverses !== null && original) entries.set(event.data.reverses, { ...original, reversed: true });
        return { ...state, entries };
      }
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (command, state) => {
    const at = command.now.toISOString();
    switch (command.type) {
      case 'ClosePeriod': {
        const { from, to, by, today } = command;
        checkPeriod(from, to, today);
        // The same period again changes nothing. One overlapping closed dates is closed as asked: a date
        // stays closed until every period holding it is reopened.
        if (state.closed.some((p) => p.from === from && p.to === to)) return [];
        return [{ type: 'PeriodClosed', data: { from, to, by, at } }];
      }
      case 'ReopenPeriod': {
        const { from, to, reason, by } = command;
        if (!state.closed.some((p) => p.from === from && p.to === to)) throw new NotFoundError('closed period', `${from}..${to}`);
        return [{ type: 'PeriodReopened', data: { from, to, reason, by, at } }];
      }
      case 'PostEntry': {
        const { entryId, date, memo, lines, attachments, by, today } = command;
        checkDate(state.closed, date, today);
        checkLines(lines, command.accounts);
        return [{ type: 'JournalEntryPosted', data: { entryId, date, memo, lines, attachments, reverses: null, by, at } }];
      }
      case 'ReverseEntry': {
        const { entryId, reverses, date, memo, by, today } = command;
        const original = state.entries.get(reverses);
        if (!original) throw new NotFoundError('manual entry', reverses);
        if (original.reversed) throw new ConflictError('already_reversed', `Entry ${reverses} has already been reversed.`);
        checkDate(state.closed, date, today);
        const lines = original.lines.map((l) => ({ account: l.account, debit: l.credit, credit: l.debit }));
        return [{ type: 'JournalEntryPosted', data: { entryId, date, memo, lines, attachments: [], reverses, by, at } }];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};

import type { DomainEvent } from './event.js';

/** One line of a manual journal entry, money in fen; exactly one of debit and credit is above zero. */
export type ManualLine = Readonly<{ account: string; debit: number; credit: number }>;

/**
 * Events of the `ledger-books` stream: the accountants' own decisions about the books. Closes,
 * reopenings and manual entries share one stream so a manual entry is decided against every close
 * recorded before it (a version conflict makes a close and an entry on the same day take turns).
 */
export type LedgerEvent =
  | DomainEvent<'PeriodClosed', Readonly<{ from: string; to: string; by: string; at: string }>>
  | DomainEvent<'PeriodReopened', Readonly<{ from: string; to: string; reason: string; by: string; at: string }>>
  | DomainEvent<
      'JournalEntryPosted',
      Readonly<{
        entryId: string;
        /** The business date the entry is dated on. */
        date: string;
        memo: string;
        lines: readonly ManualLine[];
        /** References to supporting documents (invoice numbers, file names, links); never the documents themselves. */
        attachments: readonly string[];
        /** Set on a reversing entry: the entry whose lines it mirrors. */
        reverses: string | null;
        by: string;
        at: string;
      }>
    >;

export const LEDGER_BOOKS_STREAM = 'ledger-books';

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Clock } from '../../src/clock.js';
import { handle } from '../../src/eventstore/decide.js';
import { LEDGER_BOOKS_STREAM } from '../../src/events/ledger.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { newId } from '../../src/ids.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { currentVenue } from '../venue/current.js';
import { booksDecider, type BooksCommand } from './decider.js';

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });
const Fen = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'fen' });
const Memo = Type.String({ minLength: 1, maxLength: 500 });
const PeriodBody = Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false });

const EntryBody = Type.Object(
  {
    date: BusinessDate,
    memo: Memo,
    lines: Type.Array(
      Type.Object({ account: Type.String({ minLength: 1, maxLength: 20 }), debit: Fen, credit: Fen }, { additionalProperties: false }),
      { minItems: 1, maxItems: 100 },
    ),
    attachments: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
        maxItems: 20,
        description: 'References to supporting documents (invoice numbers, file names, links)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type LedgerCommandContext = Readonly<{
  store: EventStore;
  clock: Clock;
  /** The codes of the chart of accounts, which the composition root takes from the ledger projection. */
  accounts: ReadonlySet<string>;
}>;

/**
 * The accountants' commands on the books (`ledger-books`): close and reopen a period, post a
 * manual entry, reverse one. Each is an event, so the journal projection (and any replay) posts
 * exactly what was decided here.
 */
export const ledgerCommands: FastifyPluginAsyncTypebox<LedgerCommandContext> = async (app, { store, clock, accounts }) => {
  const decide = async (request: FastifyRequest, command: (who: { by: string; now: Date; today: string }) => BooksCommand) => {
    const now = clock();
    const today = businessDateOf(now, await currentVenue(store));
    return handle(store, LEDGER_BOOKS_STREAM, booksDecider, command({ by: principalOf(request).userId, now, today }), metadataOf(request));
  };

  app.post(
    '/ledger/periods',
    {
      config: { permission: 'ledger:close' },
      schema: {
        tags: ['ledger'],
        summary: 'Close the business dates from..to (inclusive, up to today): no journal line is dated inside them again',
        description:
          'An event that arrives later for a date inside posts on the first open business date after the period, its description naming the original date. Closing the same period again changes nothing and answers its first `closedAt`.',
        body: PeriodBody,
        response: replies({ 201: Type.Object({ from: Type.String(), to: Type.String(), closedAt: Type.String({ format: 'date-time' }) }) }),
      },
    },
    async (request, reply) => {
      const { from, to } = request.body;
      const { state } = await decide(request, (who) => ({ type: 'ClosePeriod', from, to, ...who }));
      const closed = state.closed.find((p) => p.from === from && p.to === to);
      return reply.code(201).send({ from, to, closedAt: closed?.closedAt ?? clock().toISOString() });
    },
  );

  app.post(
    '/ledger/periods/reopen',
    {
      config: { permission: 'ledger:reopen' },
      schema: {
        tags: ['ledger'],
        summary: 'Reopen a closed period (admin): recorded with who and why, and listed by GET /ledger/periods?history=true',
        body: Type.Object(
          { from: BusinessDate, to: BusinessDate, reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Object({ from: Type.String(), to: Type.String(), reopenedAt: Type.String({ format: 'date-time' }) }),
        }),
      },
    },
    async (request) => {
      const { from, to, reason } = request.body;
      const { events } = await decide(request, (who) => ({ type: 'ReopenPeriod', from, to, reason, ...who }));
      return { from, to, reopenedAt: events[0]?.data.at ?? clock().toISOString() };
    },
  );

  app.post(
    '/ledger/entries',
    {
      config: { permission: 'ledger:post' },
      schema: {
        tags: ['ledger'],
        summary: 'Post a manual adjusting entry (balanced, with a memo and attachment references)',
        description:
          '`422 unbalanced` when debits and credits differ, `422 unknown_account` for an account outside the chart, `409 period_closed` when `date` is in a closed period. A posted entry is never changed: undo it with `POST /ledger/entries/:id/reverse`.',
        body: EntryBody,
        response: replies({ 201: Type.Object({ entryId: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const entryId = newId<'entry'>();
      const { date, memo, lines, attachments = [] } = request.body;
      await decide(request, (who) => ({ type: 'PostEntry', entryId, date, memo, lines, attachments, accounts, ...who }));
      return reply.code(201).send({ entryId });
    },
  );

  app.post(
    '/ledger/entries/:id/reverse',
    {
      config: { permission: 'ledger:post' },
      schema: {
        tags: ['ledger'],
        summary: 'Reverse a manual entry: a new entry with its debits and credits swapped, once',
        description: '`404` for an unknown manual entry, `409 already_reversed`, `409 period_closed` for a date in a closed period.',
        params: IdParams,
        body: Type.Object({ date: BusinessDate, memo: Type.Optional(Memo) }, { additionalProperties: false }),
        response: replies({ 201: Type.Object({ entryId: Type.String(), reverses: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const entryId = newId<'entry'>();
      const reverses = request.params.id;
      const { date, memo = `reversal of ${reverses}` } = request.body;
      await decide(request, (who) => ({ type: 'ReverseEntry', entryId, reverses, date, memo, ...who }));
      return reply.code(201).send({ entryId, reverses });
    },
  );
};

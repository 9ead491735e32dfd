import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { PlatformDatabase } from '../src/db/schema.js';
import type { EventStore } from '../src/eventstore/port.js';
import type { JobQueue } from '../src/jobs/queue.js';
import type { Clock } from '../src/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../src/errors.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { principalOf } from '../src/http/access.js';
import { newId } from '../src/ids.js';
import { withReplayedLedger } from '../projections/ledger/replay.js';
import { ledgerProjection } from '../projections/ledger/journal.js';
import { businessDayBounds } from '../domain/venue/settings.js';
import { entriesIn, toCsv, type EntryLine } from './ledger.js';
import { reconcileBill, type Mismatch } from './reconciliation.js';
import { venueSettings } from './venue.js';

export const LEDGER_JOB = 'ledger-job';
/** A running job whose row has not moved for this long lost its worker (a crash): the sweep runs it again. */
const STALE_MS = 5 * 60_000;

type JobContext = Readonly<{
  db: Kysely<PlatformDatabase>;
  store: EventStore;
  jobs: JobQueue;
  readModels: Kysely<ReadModels>;
  clock: Clock;
}>;
type Params = Readonly<{ from: string; to: string; bill?: string }>;

export type Difference = Readonly<{
  entryId: string;
  lineNo: number;
  kind: 'missing_in_replay' | 'missing_in_ledger' | 'differs';
  ledger: EntryLine | null;
  replay: EntryLine | null;
}>;

/** The serving ledger's lines against the replay's, line by line (entry id and line number). */
export function compareLines(ledger: readonly EntryLine[], replay: readonly EntryLine[]): Difference[] {
  const key = (l: EntryLine) => `${l.entryId}#${l.lineNo}`;
  const replayed = new Map(replay.map((l) => [key(l), l]));
  const differences: Difference[] = [];
  for (const l of ledger) {
    const r = replayed.get(key(l));
    replayed.delete(key(l));
    if (!r) differences.push({ entryId: l.entryId, lineNo: l.lineNo, kind: 'missing_in_replay', ledger: l, replay: null });
    else if (JSON.stringify(l) !== JSON.stringify(r))
      differences.push({ entryId: l.entryId, lineNo: l.lineNo, kind: 'differs', ledger: l, replay: r });
  }
  for (const r of replayed.values())
    differences.push({ entryId: r.entryId, lineNo: r.lineNo, kind: 'missing_in_ledger', ledger: null, replay: r });
  return differences;
}

const mismatchCsv = (mismatches: readonly Mismatch[]) =>
  stringify(
    mismatches.map((m) => ({ ...m })),
    {
      header: true,
      columns: [
        { key: 'paymentId', header: 'payment_id' },
        { key: 'kind', header: 'kind' },
        { key: 'ours', header: 'ours_fen' },
        { key: 'theirs', header: 'theirs_fen' },
      ],
    },
  );

/**
 * Replays and reconciliations as jobs on the platform's queue (BullMQ with Redis, timers in the
 * process otherwise). The request is a `ledger_jobs` row; the worker records progress on it and,
 * at the end, the result and its CSV. Running a job twice gives the same result, so a retry or
 * the sweep's rerun after a crash is harmless.
 */
export const ledgerJobs = (ctx: JobContext) => {
  const progress = (id: string, share: number) =>
    ctx.db
      .updateTable('ledger_jobs')
      .set({ progress: share, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute()
      .then(() => undefined);

  const replay = async (id: string, { from, to }: Params) => {
    const replayed = await withReplayedLedger(
      ctx.db,
      ctx.store,
      ledgerProjection,
      (schema) => entriesIn(ctx.readModels, from, to, schema),
      (_applied, share) => progress(id, share),
    );
    const differences = compareLines(await entriesIn(ctx.readModels, from, to), replayed);
    return { result: { identical: differences.length === 0, lines: replayed.length, differences }, csv: toCsv(replayed) };
  };

  const reconciliation = async ({ from, to, bill = '' }: Params) => {
    const venue = await venueSettings(ctx.readModels);
    const outcome = await reconcileBill(ctx.readModels, bill, businessDayBounds(from, venue).start, businessDayBounds(to, venue).end);
    return { result: outcome, csv: mismatchCsv(outcome.mismatches) };
  };

  const run = async (id: string) => {
    const job = await ctx.db.selectFrom('ledger_jobs').selectAll().where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
    if (!job) return;
    const params = job.params as Params;
    try {
      const { result, csv } = job.kind === 'replay' ? await replay(id, params) : await reconciliation(params);
      await ctx.db
        .updateTable('ledger_jobs')
        .set({ status: 'done', progress: 1, result: JSON.stringify(result), csv, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      // A bad statement or a broken replay fails for good: the accountant sees why, and retrying would fail again.
      const problem = err instanceof Error ? err.message : String(err);
      await ctx.db
        .updateTable('ledger_jobs')
        .set({ status: 'failed', result: JSON.stringify({ problem }), updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    }
  };

  const sweep = async () => {
    const stale = await ctx.db
      .selectFrom('ledger_jobs')
      .select('id')
      .where('status', '=', 'running')
      .where('updated_at', '<', new Date(ctx.clock().getTime() - STALE_MS))
      .execute();
    for (const { id } of stale) {
      await progress(id, 0);
      await ctx.jobs.schedule(LEDGER_JOB, id, ctx.clock());
    }
  };
  return { handlers: { [LEDGER_JOB]: run }, sweeps: [sweep] };
};

const JobStatus = Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);
const PeriodBody = Type.Object(
  { from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) },
  { additionalProperties: false },
);
const Line = Type.Object({}, { additionalProperties: true, description: 'A journal line as GET /ledger/entries returns it (nulls kept)' });

export const ledgerJobRoutes: FastifyPluginAsyncTypebox<JobContext> = async (app, ctx) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const start = async (kind: 'replay' | 'reconciliation', params: Params, by: string) => {
    if (params.from > params.to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
    const id = newId<'ledger-job'>();
    await ctx.db
      .insertInto('ledger_jobs')
      .values({ id, kind, params: JSON.stringify(params), status: 'running', result: null, csv: null, requested_by: by })
      .execute();
    await ctx.jobs.schedule(LEDGER_JOB, id, ctx.clock());
    return id;
  };
  const job = async (kind: 'replay' | 'reconciliation', id: string) => {
    const row = await ctx.db.selectFrom('ledger_jobs').selectAll().where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
    if (!row) throw new NotFoundError(kind, id);
    const { from, to } = row.params as Params;
    return { id, from, to, status: row.status, progress: row.progress, result: row.result as Record<string, unknown> | null, csv: row.csv };
  };
  const csvOf = async (kind: 'replay' | 'reconciliation', id: string) => {
    const { status, csv } = await job(kind, id);
    if (status !== 'done' || csv === null)
      throw new ConflictError('job_not_done', `The ${kind} ${id} is ${status}; its CSV comes when it is done.`);
    return csv;
  };
  const csvRoute = (kind: 'replay' | 'reconciliation', url: string, summary: string) =>
    app.get(
      url,
      {
        config: { permission: 'ledger:read' },
        schema: {
          tags: ['ledger'],
          summary,
          params: IdParams,
          produces: ['text/csv'],
          response: replies({ 200: Type.String({ description: 'RFC 4180 CSV with a header row' }) }),
        },
      },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${kind}-${request.params.id}.csv"`)
          .send(await csvOf(kind, request.params.id)),
    );

  app.post(
    '/ledger/replays',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Start a replay of the ledger from the first event; the lines dated from..to are compared with the serving ledger',
        body: PeriodBody,
        response: replies({ 202: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) => reply.code(202).send({ id: await start('replay', request.body, principalOf(request).userId) }),
  );

  app.get(
    '/ledger/replays/:id',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: "A replay's progress (0..1) and, when done, whether it is identical to the serving ledger and the differing lines",
        params: IdParams,
        response: replies({
          200: Type.Object({
            id: Type.String(),
            from: Type.String(),
            to: Type.String(),
            status: JobStatus,
            progress: Type.Number({ minimum: 0, maximum: 1 }),
            identical: Type.Optional(Type.Boolean()),
            lines: Type.Optional(Type.Integer({ description: 'journal lines the replay dated from..to' })),
            differences: Type.Optional(
              Type.Array(
                Type.Object({
                  entryId: Type.String(),
                  lineNo: Type.Integer(),
                  kind: Type.Union([Type.Literal('missing_in_replay'), Type.Literal('missing_in_ledger'), Type.Literal('differs')]),
                  ledger: Type.Union([Line, Type.Null()]),
                  replay: Type.Union([Line, Type.Null()]),
                }),
              ),
            ),
            problem: Type.Optional(Type.String()),
            csvUrl: Type.Optional(Type.String()),
          }),
        }),
      },
    },
    async (request) => {
      const { csv, result, ...found } = await job('replay', request.params.id);
      return { ...found, ...(result ?? {}), ...(csv === null ? {} : { csvUrl: `/ledger/replays/${found.id}/csv` }) };
    },
  );
  csvRoute(
    'replay',
    '/ledger/replays/:id/csv',
    "A finished replay's journal lines from..to as CSV (the layout of GET /ledger/entries.csv)",
  );

  app.post(
    '/ledger/reconciliations',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary:
          'Start reconciling a WeChat Pay trade bill (the CSV as the body) with our WeChat Pay payments of the business dates from..to',
        description: 'Send the CSV with `Content-Type: text/csv`; an unreadable bill makes the job `failed` with the reason.',
        querystring: PeriodBody,
        body: Type.String({ minLength: 1, maxLength: 5_000_000 }),
        response: replies({ 202: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) =>
      reply.code(202).send({ id: await start('reconciliation', { ...request.query, bill: request.body }, principalOf(request).userId) }),
  );

  app.get(
    '/ledger/reconciliations/:id',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: "A reconciliation's progress and, when done, the bill's rows matched and the mismatches",
        params: IdParams,
        response: replies({
          200: Type.Object({
            id: Type.String(),
            from: Type.String(),
            to: Type.String(),
            status: JobStatus,
            progress: Type.Number({ minimum: 0, maximum: 1 }),
            billRows: Type.Optional(Type.Integer()),
            matched: Type.Optional(Type.Integer()),
            mismatches: Type.Optional(
              Type.Array(
                Type.Object({
                  paymentId: Type.String(),
                  kind: Type.String(),
                  ours: Type.Union([Type.Integer(), Type.Null()]),
                  theirs: Type.Union([Type.Integer(), Type.Null()]),
                }),
              ),
            ),
            problem: Type.Optional(Type.String()),
            csvUrl: Type.Optional(Type.String()),
          }),
        }),
      },
    },
    async (request) => {
      const { csv, result, ...found } = await job('reconciliation', request.params.id);
      return { ...found, ...(result ?? {}), ...(csv === null ? {} : { csvUrl: `/ledger/reconciliations/${found.id}/csv` }) };
    },
  );
  csvRoute('reconciliation', '/ledger/reconciliations/:id/csv', "A finished reconciliation's mismatches as CSV");
};

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { EventStore } from '../../src/eventstore/port.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { Clock } from '../../src/clock.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { experimentStream } from '../../src/events/experiments.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { isStaff } from '../../src/auth/permissions.js';
import { ForbiddenError, NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { recordAnalytics } from '../../src/analytics/events.js';
import { assignArm } from '../../domain/experiments/assignment.js';
import { experimentDecider, type ExperimentState } from './decider.js';

const ArmName = Type.String({ minLength: 1, maxLength: 64 });
const UserIdQuery = Type.String({ minLength: 1, maxLength: 200, description: 'Any user id string, signed-up or not' });

const StartBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    subject: Type.Optional(
      Type.Union([Type.Literal('recommendations'), Type.Literal('dynamic_pricing'), Type.Literal('other')], {
        description: 'What the arms vary (default `recommendations`: the arm is the strategy of GET /recommendations)',
      }),
    ),
    arms: Type.Array(
      Type.Object(
        { name: ArmName, weight: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, default: 1 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

const TrackBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('exposure'), Type.Literal('conversion')]),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Staff only: record for this user id' })),
    item: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

type Started = Exclude<ExperimentState, { status: 'none' }>;

export type ExperimentContext = Readonly<{ store: EventStore; clock: Clock; db: Kysely<PlatformDatabase> }>;

/**
 * Experiments are events on their own stream; assignment and tracking decide
 * the arm from that stream (not a read model), so they are exact from the
 * moment the experiment is created.
 */
export const experimentCommands: FastifyPluginAsyncTypebox<ExperimentContext> = async (app, { store, clock, db }) => {
  const experiment = async (id: string): Promise<Started> => {
    if (!isUuid(id)) throw new NotFoundError('experiment', id);
    const { state } = await load(store, experimentStream(id), experimentDecider);
    if (state.status === 'none') throw new NotFoundError('experiment', id);
    return state;
  };

  app.post(
    '/experiments',
    {
      config: { permission: 'experiment:write' },
      schema: {
        tags: ['smart'],
        summary: 'Start an A/B experiment with weighted arms',
        body: StartBody,
        response: replies({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const experimentId = newId<'experiment'>();
      const { name, subject, arms } = request.body;
      await handle(
        store,
        experimentStream(experimentId),
        experimentDecider,
        {
          type: 'StartExperiment',
          experimentId,
          name,
          subject: subject ?? 'recommendations',
          arms: arms.map((a) => ({ name: a.name, weight: a.weight })),
          by: principalOf(request).userId,
          now: clock(),
        },
        metadataOf(request),
        'new',
      );
      return reply.code(201).send({ id: experimentId });
    },
  );

  app.post(
    '/experiments/:id/stop',
    {
      config: { permission: 'experiment:write' },
      schema: {
        tags: ['smart'],
        summary: 'Stop an experiment: assignment stays answerable, the recommender stops following it',
        params: IdParams,
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('stopped') }) }),
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw new NotFoundError('experiment', id);
      await handle(
        store,
        experimentStream(id),
        experimentDecider,
        { type: 'StopExperiment', experimentId: id, by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      return { id, status: 'stopped' as const };
    },
  );

  app.get(
    '/experiments/:id/assignment',
    {
      config: { permission: 'experiment:write' },
      schema: {
        tags: ['smart'],
        summary: "A user's arm: CRC32 of experiment and user id into 10,000 buckets; stable, and not an exposure",
        params: IdParams,
        querystring: Type.Object({ userId: UserIdQuery }),
        response: replies({ 200: Type.Object({ experimentId: Type.String(), userId: Type.String(), arm: Type.String() }) }),
      },
    },
    async (request) => {
      const found = await experiment(request.params.id);
      const { userId } = request.query;
      return { experimentId: found.id, userId, arm: assignArm(found.id, found.arms, userId).name };
    },
  );

  app.post(
    '/experiments/:id/events',
    {
      config: { permission: 'analytics:write' },
      schema: {
        tags: ['smart'],
        summary: 'Record an exposure (the user saw their arm) or a conversion, for the caller or (staff) a given user id',
        params: IdParams,
        body: TrackBody,
        response: replies({ 201: Type.Object({ experimentId: Type.String(), userId: Type.String(), arm: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const found = await experiment(request.params.id);
      const principal = principalOf(request);
      const { kind, userId = principal.userId, item } = request.body;
      if (userId !== principal.userId && !isStaff(principal.roles)) throw new ForbiddenError('Only staff record events for another user.');
      const arm = assignArm(found.id, found.arms, userId).name;
      await recordAnalytics(db, [{ kind, at: clock(), userId, experimentId: found.id, arm, item: item ?? null }]);
      return reply.code(201).send({ experimentId: found.id, userId, arm });
    },
  );
};

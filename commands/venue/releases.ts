import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load, type Decider } from '../../src/eventstore/decide.js';
import { RELEASES_STREAM, type ReleaseEvent } from '../../src/events/venue.js';
import { ConflictError } from '../../src/errors.js';
import { forget, memo } from '../../src/infra/memo.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';

/** Business date to the instant it opens for booking; dates not listed are open. */
export type Releases = ReadonlyMap<string, number>;

type Schedule = Readonly<{ type: 'Schedule'; businessDate: string; opensAt: Date; by: string; now: Date }>;

export const releasesDecider: Decider<Releases, Schedule, ReleaseEvent> = {
  initialState: () => new Map(),
  evolve: (state, e) => new Map(state).set(e.data.businessDate, Date.parse(e.data.opensAt)),
  decide: (c, state) =>
    state.get(c.businessDate) === c.opensAt.getTime()
      ? []
      : [
          {
            type: 'ReleaseScheduled',
            data: { businessDate: c.businessDate, opensAt: c.opensAt.toISOString(), by: c.by, at: c.now.toISOString() },
          },
        ],
};

/** How stale the release schedule may be in a hold on another instance (this one forgets at once). */
const FRESH_MS = 1000;

export function currentReleases(store: EventStore): Promise<Releases> {
  return memo(store, RELEASES_STREAM, FRESH_MS, async () => (await load(store, RELEASES_STREAM, releasesDecider)).state);
}

/** `409 not_open_yet` for room time on a business date whose release has not come yet. */
export function assertReleased(releases: Releases, businessDate: string, now: Date): void {
  const opensAt = releases.get(businessDate);
  if (opensAt !== undefined && now.getTime() < opensAt) {
    throw new ConflictError('not_open_yet', `${businessDate} opens for booking at ${new Date(opensAt).toISOString()}.`, {
      businessDate,
      opensAt: new Date(opensAt).toISOString(),
    });
  }
}

const ReleaseReply = Type.Object({ businessDate: Type.String({ format: 'date' }), opensAt: Type.String({ format: 'date-time' }) });

/** Managers schedule when a business date opens for booking. */
export const releaseCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, { store, clock }) => {
  app.put(
    '/releases/:date',
    {
      config: { permission: 'price:write' },
      schema: {
        tags: ['busy nights'],
        summary: 'Schedule when a business date opens for booking; before then holds on it are 409 not_open_yet',
        description: 'Scheduling the same date again replaces its opening time; an opening time in the past opens the date at once.',
        params: Type.Object({ date: Type.String({ format: 'date', maxLength: 10 }) }),
        body: Type.Object({ opensAt: Type.String({ format: 'date-time', maxLength: 40 }) }, { additionalProperties: false }),
        response: replies({ 200: ReleaseReply }),
      },
    },
    async (request) => {
      const command = {
        type: 'Schedule',
        businessDate: request.params.date,
        opensAt: new Date(request.body.opensAt),
        by: principalOf(request).userId,
        now: clock(),
      } as const;
      await handle(store, RELEASES_STREAM, releasesDecider, command, metadataOf(request));
      forget(store, RELEASES_STREAM);
      return { businessDate: command.businessDate, opensAt: command.opensAt.toISOString() };
    },
  );
};

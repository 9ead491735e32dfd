import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../src/config.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import type { AdmissionOutcome, AdmissionQueue, AdmissionRequest } from '../../src/jobs/admission.js';
import { AppError, NotFoundError } from '../../src/errors.js';
import { problemFor } from '../../src/http/problem.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { isUuid } from '../../src/ids.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { currentVenue } from '../venue/current.js';
import { currentReleases } from '../venue/releases.js';
import { holdBooking, type HoldInput } from './hold.js';
import { HOLD_EXPIRY } from './expiry.js';
import { actorOf, type Actor, type BookingContext } from './context.js';

/** What the booking commands need to queue holds on busy nights. */
export type AdmissionContext = BookingContext &
  Readonly<{ admission: AdmissionQueue; config: Pick<Config, 'bookingQueueSaturation' | 'bookingQueueReleaseMinutes'> }>;

/** A queued hold as the worker gets it: the very input the synchronous path would have held. */
type QueuedHold = Readonly<{ input: Omit<HoldInput, 'start'> & { start: string }; actor: Actor; metadata: EventMetadata }>;

const RESPOND_ASYNC = /(^|[,;\s])respond-async($|[,;\s])/i;

/** Synchronous holds in progress in this process, the measure of a saturated hold path. */
let holdsInProgress = 0;

/** Runs a synchronous hold, counted while in progress. */
export async function counted<T>(fn: () => Promise<T>): Promise<T> {
  holdsInProgress++;
  try {
    return await fn();
  } finally {
    holdsInProgress--;
  }
}

/**
 * Whether a hold is queued instead of decided at once: the client asked for it
 * (`Prefer: respond-async`), the hold path on this instance is saturated, or the
 * date was released only minutes ago.
 */
export async function shouldQueue(
  ctx: AdmissionContext,
  prefer: string | undefined,
  input: Pick<HoldInput, 'roomId' | 'start'>,
): Promise<{ group: string } | null> {
  const { bookingQueueSaturation: saturation, bookingQueueReleaseMinutes: releaseMinutes } = ctx.config;
  const venue = await currentVenue(ctx.store);
  const businessDate = businessDateOf(input.start, venue);
  // First come, first served per room-day: the stream a hold's room time is decided on.
  const group = `${input.roomId}:${businessDate}`;
  if (prefer !== undefined && RESPOND_ASYNC.test(prefer)) return { group };
  if (saturation > 0 && holdsInProgress >= saturation) return { group };
  if (releaseMinutes > 0) {
    const opensAt = (await currentReleases(ctx.store)).get(businessDate);
    const now = ctx.clock().getTime();
    if (opensAt !== undefined && now >= opensAt && now < opensAt + releaseMinutes * 60_000) return { group };
  }
  return null;
}

/** Queues a hold; the request id becomes the booking's id, so a request run twice holds once. */
export async function enqueueHold(
  ctx: AdmissionContext,
  id: string,
  group: string,
  input: HoldInput,
  actor: Actor,
  metadata: EventMetadata,
): Promise<number> {
  const hold: QueuedHold = { input: { ...input, start: input.start.toISOString() }, actor, metadata };
  return ctx.admission.enqueue({ id, owner: input.guestId ?? actor.userId, group, payload: hold, enqueuedAt: Date.now() });
}

/**
 * The admission queue's worker: runs the hold the synchronous path runs, with
 * the request id as the booking id. A refusal becomes the outcome with the
 * problem the synchronous answer would have had; anything else is retried.
 */
export const admitHold =
  (ctx: BookingContext) =>
  async (request: AdmissionRequest): Promise<AdmissionOutcome> => {
    const q = request.payload as QueuedHold;
    try {
      const input = { ...q.input, start: new Date(q.input.start), bookingId: request.id };
      const held = await holdBooking(ctx, input, q.actor, { ...q.metadata, causationId: `booking-request:${request.id}` });
      await ctx.jobs.schedule(HOLD_EXPIRY, held.bookingId, new Date(held.holdExpiresAt));
      return { status: 'held', bookingId: held.bookingId };
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return { status: 'refused', problem: problemFor(err) };
      throw err;
    }
  };

export const bookingRequestRoute: FastifyPluginAsyncTypebox<AdmissionContext> = async (app, ctx) => {
  app.get(
    '/booking-requests/:id',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['busy nights'],
        summary:
          'A queued hold: its place in the queue, then the booking or the refusal (the problem the synchronous answer would have had)',
        params: IdParams,
        response: replies({
          200: Type.Object({
            id: Type.String(),
            status: Type.Union([Type.Literal('queued'), Type.Literal('held'), Type.Literal('refused')]),
            position: Type.Optional(Type.Integer({ minimum: 1 })),
            bookingId: Type.Optional(Type.String()),
            problem: Type.Optional(Type.Ref('Problem')),
          }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { id } = request.params;
      const state = isUuid(id) ? await ctx.admission.state(id) : null;
      // Another guest's request is as unknown as one that never was.
      if (!state || (!actor.staff && state.owner !== actor.userId)) throw new NotFoundError('booking request', id);
      switch (state.status) {
        case 'queued':
          return { id, status: state.status, position: state.position };
        case 'held':
          return { id, status: state.status, bookingId: state.bookingId };
        case 'refused':
          return { id, status: state.status, problem: state.problem };
        default: {
          const never: never = state;
          throw new Error(`unknown request state ${JSON.stringify(never)}`);
        }
      }
    },
  );
};

import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { AppendedPositions, trackAppends } from '../eventstore/positions.js';

/** The response header naming the feed position of the last event a request appended. */
export const EVENT_POSITION_HEADER = 'event-position';

/** The request header a read sends that position back in, to see its own write. */
export const IF_EVENT_POSITION_HEADER = 'if-event-position';

const byRequest = new WeakMap<FastifyRequest, AppendedPositions>();

/**
 * Every request that appends events answers with `Event-Position`, whichever
 * route it was: the event store notes each append in the request's async
 * context, so commands need not pass positions along. Tracking starts at
 * preValidation, after the body is parsed, because body parsing runs in the
 * socket's context rather than the request's.
 */
export const eventPositionPlugin = fp(
  async (app) => {
    app.addHook('preValidation', (request, _reply, done) => {
      const positions = new AppendedPositions();
      byRequest.set(request, positions);
      trackAppends(positions, done);
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const last = byRequest.get(request)?.last;
      if (last) reply.header(EVENT_POSITION_HEADER, last);
      return payload;
    });
  },
  { name: 'event-position' },
);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from './platform.js';
import type { Projection } from './projections/projection.js';
import { roomTypeCommands } from '../commands/room-types/routes.js';
import { roomCommands } from '../commands/rooms/routes.js';
import { roomQueries } from '../queries/rooms.js';
import { roomsProjection } from '../projections/rooms.js';
import { userCommands } from '../commands/users/routes.js';
import { sessionCommands } from '../commands/sessions/routes.js';
import { userQueries } from '../queries/users.js';
import { usersProjection } from '../projections/users.js';
import { venueCommands } from '../commands/venue/routes.js';
import { bookingCommands } from '../commands/bookings/routes.js';
import { bookingJobs } from '../commands/bookings/expiry.js';
import type { JobHandler } from './jobs/queue.js';

/**
 * The one place that knows every feature: the app assembly registers these
 * routes, and the projector (in the API process or alone) runs these projections.
 */
export const features: Readonly<{
  routes: readonly FastifyPluginAsyncTypebox<{ platform: Platform }>[];
  projections: readonly Projection[];
  jobs: (platform: Platform) => { handlers: Record<string, JobHandler>; sweeps: (() => Promise<void>)[] };
}> = {
  routes: [userCommands, sessionCommands, userQueries, roomTypeCommands, roomCommands, roomQueries, venueCommands, bookingCommands],
  projections: [usersProjection, roomsProjection],
  jobs: (platform) => bookingJobs(platform),
};

import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { MembershipLevel } from '../../src/events/users.js';
import type { Price } from '../../src/events/bookings.js';
import type { VenueSettings } from '../../src/events/venue.js';
import { bookingStream } from '../../src/events/bookings.js';
import { load } from '../../src/eventstore/decide.js';
import { principalOf } from '../../src/http/access.js';
import { isStaff } from '../../src/auth/permissions.js';
import { currentUser } from '../../src/auth/current-user.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import { quoteOrRefuse } from '../../domain/pricing/quote.js';
import { dynamicFor } from '../../domain/pricing/dynamic.js';
import { requireRateCard } from '../venue/current.js';
import { currentDemand, currentDynamicSwitch, experimentOf } from '../venue/dynamic-pricing.js';
import { bookingDecider, type Booking } from './decider.js';
import type { RoomFacts } from './room-facts.js';

/** What the booking commands use of the platform. */
export type BookingContext = Readonly<{ store: EventStore; jobs: JobQueue; clock: Clock }>;

/** Who acts on a booking: guests act on their own, staff on any. */
export type Actor = Readonly<{ userId: string; staff: boolean }>;

export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return { userId: p.userId, staff: isStaff(p.roles) };
}

export async function loadBooking(store: EventStore, bookingId: string, actor: Actor): Promise<Booking> {
  if (!isUuid(bookingId)) throw new NotFoundError('booking', bookingId);
  const { state } = await load(store, bookingStream(bookingId), bookingDecider);
  // A guest asking for someone else's booking learns nothing about whether it exists.
  if (state.status === 'none' || (!actor.staff && state.guestId !== actor.userId)) throw new NotFoundError('booking', bookingId);
  return state;
}

/** The price of `minutes` of a room from `start`, with the rate card in force now; `409 room_not_priced` when it has none. */
export async function priceFor(
  store: EventStore,
  venue: VenueSettings,
  room: RoomFacts,
  start: Date,
  minutes: number,
  memberLevel: MembershipLevel,
): Promise<Price> {
  return quoteOrRefuse(await requireRateCard(store), venue, { roomTypeId: room.roomTypeId, start, minutes, memberLevel });
}

/**
 * The price of a hold: the card's, times the multiplier its dynamic rule (if it has one) gives the
 * heat recorded for the business date, unless the kill switch is off or the guest is in the `off`
 * arm of the experiment on dynamic pricing. The write side reads recorded facts only: the forecast
 * snapshot stream of the date, the switch, the experiment; never a read model.
 */
export async function holdPriceFor(
  store: EventStore,
  venue: VenueSettings,
  room: RoomFacts,
  stay: Readonly<{ start: Date; minutes: number; businessDate: string; memberLevel: MembershipLevel; guestId: string | null }>,
): Promise<Price> {
  const card = await requireRateCard(store);
  const input = { roomTypeId: room.roomTypeId, start: stay.start, minutes: stay.minutes, memberLevel: stay.memberLevel };
  if (!card.dynamic) return quoteOrRefuse(card, venue, input);
  const [sw, snapshot] = await Promise.all([currentDynamicSwitch(store), currentDemand(store, stay.businessDate)]);
  const found = sw.experimentId !== null && stay.guestId !== null ? await experimentOf(store, sw.experimentId) : null;
  const experiment = found && found.status !== 'none' ? { id: found.id, running: found.status === 'running', arms: found.arms } : null;
  const dynamic = dynamicFor(
    card,
    venue,
    { ...input, businessDate: stay.businessDate, guestId: stay.guestId },
    {
      enabled: sw.enabled,
      snapshot,
      experiment,
    },
  );
  return quoteOrRefuse(card, venue, { ...input, dynamic });
}

/** A booking's guest's level now, for pricing changes to it (walk-ins have none: regular). */
export async function levelOf(store: EventStore, guestId: string | null): Promise<MembershipLevel> {
  return (guestId ? await currentUser(store, guestId) : null)?.membershipLevel ?? 'regular';
}

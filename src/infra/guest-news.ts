import type { News } from './news.js';

/** What a guest's own stream carries: a queued hold decided, or a waitlist entry offered a room. */
export type GuestNotice =
  | Readonly<{
      event: 'booking-request';
      data: Readonly<{ id: string; status: 'held' | 'refused'; bookingId?: string; problem?: unknown }>;
    }>
  | Readonly<{ event: 'waitlist'; data: Readonly<{ id: string; status: 'offered'; bookingId: string }> }>;

/** The news channel of one guest: every instance serving that guest's stream listens on it. */
export const guestChannel = (userId: string) => `ktv:guest:${userId}`;

/**
 * Tells the guest's open streams, on whichever instance they are. At most once
 * (pub/sub): the guest page also reads the request or entry itself when its
 * stream (re)connects, so a lost message only delays what it shows.
 */
export async function tellGuest(news: News, userId: string, notice: GuestNotice): Promise<void> {
  // What was decided stands whether or not the guest heard of it now: a failed publish is not the decision's failure.
  await news.publish(guestChannel(userId), JSON.stringify(notice)).catch(() => {});
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { businessDay } from '../shared/time.js';
import { clockTime, useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import type { BoardRoom } from './types.js';

type Booking = {
  id: string;
  roomId: string;
  start: string;
  end: string;
  status: string;
  partySize: number;
  openTiming: boolean;
  checkedOutAt: string | null;
};
const DAY_MS = 86_400_000;
/** Bookings that take or took room time; cancelled, expired and no-show ones are not drawn. */
const DRAWN = new Set(['held', 'confirmed', 'checked_in', 'checked_out']);

type Props = { rooms: readonly BoardRoom[]; now: number; timeZone: string; dayStartMinute: number };

/** 营业日时间轴: one row per room across the business day's 24 hours, each booking a bar from its start to its end. */
export function Timeline({ rooms, now, timeZone, dayStartMinute }: Props) {
  const [t, l] = useStrings(STRINGS);
  const day = businessDay(now, timeZone, dayStartMinute);
  const [bookings, setBookings] = useState<readonly Booking[]>([]);
  useEffect(() => {
    api<Booking[]>('GET', `/bookings?date=${day.date}&limit=200`)
      .then((list) => setBookings(list.filter((b) => DRAWN.has(b.status))))
      .catch(() => {}); // shown again on the next refresh
  }, [day.date, now, rooms]);
  const at = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - day.start) / DAY_MS) * 100));
  // A bar ends when the party left; an open-timed party still in the room runs to now (its `end` is only the latest it may stay).
  const endOf = (b: Booking) => b.checkedOutAt ?? (b.openTiming && b.status === 'checked_in' ? new Date(now).toISOString() : b.end);
  const hours = Array.from({ length: 24 }, (_, i) => new Date(day.start + i * 3_600_000).toISOString());
  return (
    <section class="timeline" data-timeline={day.date}>
      <div class="tl-row tl-head">
        <div class="tl-room">{day.date}</div>
        <div class="tl-track">
          {hours.map((h, i) => (
            <span key={h} class="tl-hour" style={{ left: `${(i / 24) * 100}%` }}>
              {clockTime(h, l, timeZone).slice(0, 2)}
            </span>
          ))}
        </div>
      </div>
      {rooms.map((r) => (
        <div key={r.roomId} class="tl-row" data-timeline-room={r.name}>
          <div class="tl-room">{r.name}</div>
          <div class="tl-track">
            {bookings
              .filter((b) => b.roomId === r.roomId)
              .map((b) => (
                <div
                  key={b.id}
                  class={`tl-bar ${b.status}`}
                  data-bar={b.status}
                  style={{ left: `${at(b.start)}%`, width: `${Math.max(0.5, at(endOf(b)) - at(b.start))}%` }}
                  title={`${clockTime(b.start, l, timeZone)}–${clockTime(endOf(b), l, timeZone)} · ${t.people(b.partySize)}`}
                >
                  {t.people(b.partySize)}
                </div>
              ))}
            <div class="tl-now" style={{ left: `${at(new Date(now).toISOString())}%` }} />
          </div>
        </div>
      ))}
    </section>
  );
}

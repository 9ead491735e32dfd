import { useEffect, useState } from 'preact/hooks';
import { subscribe, type StreamStatus } from '../shared/events.js';
import { api } from '../shared/api.js';
import { clockTime, useStrings, type Lang } from '../shared/i18n.js';
import { STRINGS, type Strings } from './strings.js';
import type { BoardRoom } from './types.js';
import { Actions } from './actions.js';
import { Timeline } from './timeline.js';

const minutesUntil = (iso: string, now: number) => Math.ceil((Date.parse(iso) - now) / 60_000);

/**
 * The line under a tile's state: how long is left, how long until the party arrives, how long over.
 * An open-timed party booked no end, so it shows the time used (what its bill counts) instead.
 */
function countdown(room: BoardRoom, now: number, t: Strings): string {
  const b = room.booking;
  if (!b) return '';
  if (room.state === 'occupied' && b.openTiming) return t.used(Math.max(0, Math.floor((now - Date.parse(b.start)) / 60_000)));
  if (room.state === 'occupied') return t.left(Math.max(0, minutesUntil(b.end, now)));
  if (room.state === 'overtime') return t.over(Math.max(0, -minutesUntil(b.end, now)));
  if (room.state === 'reserved') return t.startsIn(Math.max(0, minutesUntil(b.start, now)));
  return '';
}

type TileProps = { room: BoardRoom; now: number; t: Strings; l: Lang; tz: string; onOpen: () => void };

function Tile({ room, now, t, l, tz, onOpen }: TileProps) {
  const b = room.booking;
  return (
    <button class={`tile ${room.state}`} data-room={room.name} data-state={room.state} onClick={onOpen}>
      <div class="name">{room.name}</div>
      <div class="meta">
        {room.type} · {t.capacity(room.capacity)}
      </div>
      <div class="state">{t.states[room.state]}</div>
      {b && (
        <div class="party">
          {t.people(b.partySize)} ·{' '}
          {b.openTiming ? `${clockTime(b.start, l, tz)} · ${t.openTiming}` : `${clockTime(b.start, l, tz)}–${clockTime(b.end, l, tz)}`}
        </div>
      )}
      <div class={room.state === 'overtime' ? 'countdown warning' : 'countdown'}>{countdown(room, now, t)}</div>
      {room.next && (
        <div class="next">
          {t.next}: {clockTime(room.next.start, l, tz)} · {t.people(room.next.partySize)}
        </div>
      )}
    </button>
  );
}

/** The live room board: the stream's first events are every room, then each change. */
export function Board() {
  const [t, l] = useStrings(STRINGS);
  const [rooms, setRooms] = useState<ReadonlyMap<string, BoardRoom>>(new Map());
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [open, setOpen] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [tz, setTz] = useState('Asia/Shanghai');
  const [dayStart, setDayStart] = useState(6 * 60);
  const [view, setView] = useState<'board' | 'timeline'>('board');
  useEffect(() => {
    api<{ timeZone: string; businessDayStartMinute: number }>('GET', '/venue')
      .then((v) => {
        setTz(v.timeZone);
        setDayStart(v.businessDayStartMinute);
      })
      .catch(() => {}); // the demo's zone and day until the venue answers
  }, []);
  useEffect(
    () =>
      subscribe(
        '/board/events',
        (event, data) => {
          if (event !== 'room') return;
          const room = JSON.parse(data) as BoardRoom;
          setRooms((prev) => new Map(prev).set(room.roomId, room));
        },
        setStatus,
      ),
    [],
  );
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const list = [...rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
  const selected = open ? rooms.get(open) : undefined;
  return (
    <main>
      <p class={`status ${status}`} data-status={status}>
        {status === 'live' ? t.live : status === 'connecting' ? t.connecting : t.offline}
      </p>
      <nav class="views">
        <button class={view === 'board' ? 'active' : 'secondary'} data-view="board" onClick={() => setView('board')}>
          {t.boardView}
        </button>
        <button class={view === 'timeline' ? 'active' : 'secondary'} data-view="timeline" onClick={() => setView('timeline')}>
          {t.timelineView}
        </button>
      </nav>
      {view === 'board' ? (
        <section class="board">
          {list.map((r) => (
            <Tile key={r.roomId} room={r} now={now} t={t} l={l} tz={tz} onOpen={() => setOpen(r.roomId)} />
          ))}
        </section>
      ) : (
        <Timeline rooms={list} now={now} timeZone={tz} dayStartMinute={dayStart} />
      )}
      {selected && <Actions room={selected} rooms={list} onClose={() => setOpen(null)} />}
    </main>
  );
}

import t from 'tap';
import { nextChange, roomView, type RoomFacts, type Stay } from '../../../domain/rooms/board.js';

/** Room S01 at 20:00 (as epoch minutes, for reading): the reserved window is 60 minutes. */
const m = (minutes: number) => minutes * 60_000;
const NOW = m(20 * 60);
const stay = (id: string, s: Partial<Stay>): Stay => ({
  bookingId: id,
  start: m(21 * 60),
  end: m(23 * 60),
  status: 'confirmed',
  partySize: 4,
  holdExpiresAt: null,
  ...s,
});
const room = (f: Partial<RoomFacts>): RoomFacts => ({ inService: true, cleaningSince: null, stays: [], ...f });

t.test('the state of a room at a moment', async (t) => {
  t.equal(roomView(room({}), NOW, 60).state, 'free', 'nothing booked');
  t.equal(roomView(room({ stays: [stay('A', { start: m(21 * 60 + 1) })] }), NOW, 60).state, 'free', 'a booking just outside the window');
  t.equal(roomView(room({ stays: [stay('A', {})] }), NOW, 60).state, 'reserved', 'a booking starting in 60 minutes');
  t.equal(
    roomView(room({ stays: [stay('A', { status: 'held', holdExpiresAt: NOW })] }), NOW, 60).state,
    'free',
    'a hold that has run out counts for nothing',
  );
  const inRoom = stay('A', { status: 'checked_in', start: m(19 * 60), end: m(21 * 60) });
  t.equal(roomView(room({ stays: [inRoom] }), NOW, 60).state, 'occupied');
  t.equal(roomView(room({ stays: [inRoom] }), m(21 * 60), 60).state, 'overtime', 'from its end on');
  t.equal(roomView(room({ cleaningSince: NOW }), NOW, 60).state, 'cleaning');
  t.equal(roomView(room({ cleaningSince: NOW, stays: [stay('B', {})] }), NOW, 60).state, 'cleaning', 'cleaning before the next party');
  t.equal(roomView(room({ inService: false, stays: [inRoom] }), NOW, 60).state, 'out_of_service', 'staff said so');
});

t.test('booking is the party in the room or next to arrive; next the one after it', async (t) => {
  const inRoom = stay('A', { status: 'checked_in', start: m(19 * 60), end: m(21 * 60) });
  const later = stay('C', { start: m(23 * 60) });
  const first = stay('B', { start: m(21 * 60 + 30) });
  const busy = roomView(room({ stays: [later, inRoom, first] }), NOW, 60);
  t.equal(busy.booking?.bookingId, 'A');
  t.equal(busy.next?.bookingId, 'B');
  const idle = roomView(room({ stays: [later, first] }), NOW, 60);
  t.equal(idle.booking?.bookingId, 'B');
  t.equal(idle.next?.bookingId, 'C');
});

t.test('the next moment the clock alone changes the room', async (t) => {
  t.equal(nextChange(room({}), NOW, 60), null, 'nothing due');
  t.equal(nextChange(room({ stays: [stay('A', { start: m(22 * 60) })] }), NOW, 60), m(21 * 60), 'the window opening');
  t.equal(nextChange(room({ stays: [stay('A', { status: 'checked_in', start: m(19 * 60) })] }), NOW, 60), m(23 * 60), 'overtime beginning');
  t.equal(
    nextChange(room({ stays: [stay('A', { status: 'held', start: m(22 * 60), holdExpiresAt: NOW + m(15) })] }), NOW, 60),
    NOW + m(15),
    'a hold running out before its window opens',
  );
  t.equal(nextChange(room({ stays: [stay('A', {})] }), NOW, 60), null, 'a window already open changes nothing more by itself');
});

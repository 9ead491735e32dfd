import { useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import type { BoardRoom } from './types.js';
import { BillActions, openReceipt, Result, text, useRun } from './bill.js';
import { CheckOut } from './checkout.js';

/** The desk's actions on one room, offered by its state; each is one API command. */
export function Actions({ room, rooms, onClose }: { room: BoardRoom; rooms: readonly BoardRoom[]; onClose: () => void }) {
  const [t] = useStrings(STRINGS);
  const [run, message, busy] = useRun();
  const [checkedOut, setCheckedOut] = useState<string | null>(null);
  const b = room.booking;
  const inRoom = b?.status === 'checked_in' ? b : null;
  // An open-timed stay booked no end: it is billed for the time used, so there is nothing to extend (409 open_timing).
  const extendable = inRoom !== null && !inRoom.openTiming;
  const arriving = b && b.status !== 'checked_in' ? b : null;

  const walkIn = run(async (f) => {
    // Open timing (计时): no duration; the time used is billed at check-out.
    const open = text(f, 'open') === 'on';
    await api('POST', '/walk-ins', {
      roomId: room.roomId,
      partySize: Number(text(f, 'partySize')),
      ...(open ? {} : { durationMinutes: Number(text(f, 'minutes')) }),
    });
  });
  const extend = run(async (f) => void (await api('POST', `/bookings/${inRoom!.id}/extend`, { minutes: Number(text(f, 'minutes')) })));
  const move = run(async (f) => void (await api('POST', `/bookings/${inRoom!.id}/move`, { roomId: text(f, 'roomId') })));
  const outOfService = run(async (f) => void (await api('POST', `/rooms/${room.roomId}/out-of-service`, { reason: text(f, 'reason') })));
  const free = rooms.filter((r) => r.state === 'free' && r.roomId !== room.roomId && r.capacity >= (inRoom?.partySize ?? 0));

  return (
    <div class="sheet" role="dialog" aria-label={room.name} data-actions={room.name}>
      <div class="sheet-head">
        <h2>
          {room.name} · {t.states[room.state]}
        </h2>
        <button class="link" onClick={onClose}>
          {t.close}
        </button>
      </div>
      <fieldset disabled={busy}>
        {(room.state === 'free' || room.state === 'reserved') && (
          <form onSubmit={walkIn} data-action="walk-in">
            <label>
              {t.partySize}
              <input name="partySize" type="number" min="1" max={room.capacity} value={Math.min(2, room.capacity)} />
            </label>
            <label>
              {t.minutes}
              <input name="minutes" type="number" min="15" step="15" value="120" />
            </label>
            <label class="check">
              <input name="open" type="checkbox" />
              {t.openTiming}
            </label>
            <button type="submit">{t.walkIn}</button>
          </form>
        )}
        {arriving && (
          <form onSubmit={run(async () => void (await api('POST', `/bookings/${arriving.id}/check-in`)))} data-action="check-in">
            <button type="submit">{t.checkIn}</button>
          </form>
        )}
        {inRoom && (
          <>
            {extendable && (
              <form onSubmit={extend} data-action="extend">
                <label>
                  {t.extendBy}
                  <input name="minutes" type="number" min="15" step="15" value="30" />
                </label>
                <button type="submit">{t.extend}</button>
              </form>
            )}
            <form onSubmit={move} data-action="move">
              <label>
                {t.moveTo}
                <select name="roomId">
                  {free.map((r) => (
                    <option key={r.roomId} value={r.roomId}>
                      {r.name} ({t.capacity(r.capacity)})
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" disabled={free.length === 0}>
                {t.move}
              </button>
            </form>
            <BillActions bookingId={inRoom.id} run={run} />
            <CheckOut bookingId={inRoom.id} run={run} onCheckedOut={() => setCheckedOut(inRoom.id)} />
          </>
        )}
        {checkedOut && (
          <form onSubmit={run(async () => void (await openReceipt(checkedOut)))} data-action="receipt">
            <button type="submit">{t.receipt}</button>
          </form>
        )}
        {room.state === 'cleaning' && (
          <form onSubmit={run(async () => void (await api('POST', `/rooms/${room.roomId}/cleaned`)))} data-action="cleaned">
            <button type="submit">{t.cleaned}</button>
          </form>
        )}
        {room.state === 'out_of_service' ? (
          <form onSubmit={run(async () => void (await api('POST', `/rooms/${room.roomId}/return-to-service`)))} data-action="return">
            <button type="submit">{t.backInService}</button>
          </form>
        ) : (
          <form onSubmit={outOfService} data-action="out-of-service">
            <label>
              {t.reason}
              <input name="reason" maxLength={500} required />
            </label>
            <button type="submit" class="danger">
              {t.outOfService}
            </button>
          </form>
        )}
      </fieldset>
      <Result message={message} />
    </div>
  );
}

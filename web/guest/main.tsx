import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import qrcode from 'qrcode-generator';
import { onSessionChange, session, signIn, signOut } from '../shared/auth.js';
import { api, ApiError } from '../shared/api.js';
import { lang, setLang, useStrings, clockTime } from '../shared/i18n.js';
import type { StreamStatus } from '../shared/events.js';
import { venueInstant, venueToday } from '../shared/time.js';
import { STRINGS } from './strings.js';
import { guestStream, type Notice } from './stream.js';

type Offer = { roomId: string; name: string; type: string; capacity: number; price: { total: number } };
type Booking = {
  id: string;
  roomId: string;
  start: string;
  end: string;
  status: string;
  holdExpiresAt?: string | null;
  price: { total: number; deposit: number };
};
type Wish = { start: string; durationMinutes: number; partySize: number };
type Payment = { codeUrl?: string; sandboxCompleteUrl?: string };

const yuan = (fen: number) => `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`;
const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
};

function Account() {
  const [t] = useStrings(STRINGS);
  const [registering, setRegistering] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const [email, password] = [text(form, 'email'), text(form, 'password')];
    setError('');
    if (registering) {
      const res = await fetch('/auth/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, name: text(form, 'name') }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
        return setError(body.code === 'email_taken' ? t.emailTaken : (body.detail ?? String(res.status)));
      }
    }
    await signIn(email, password, ['guest']).catch(() => setError(t.badLogin));
  };
  return (
    <form class="card account" onSubmit={(e) => void submit(e)}>
      <h1>{registering ? t.register : t.signIn}</h1>
      {registering && (
        <label>
          {t.name}
          <input name="name" required maxLength={100} autocomplete="name" />
        </label>
      )}
      <label>
        {t.email}
        <input name="email" type="email" required autocomplete="username" />
      </label>
      <label>
        {t.password}
        <input name="password" type="password" required minLength={8} autocomplete={registering ? 'new-password' : 'current-password'} />
      </label>
      {error && <p class="error">{error}</p>}
      <button type="submit" class="primary">
        {registering ? t.register : t.signIn}
      </button>
      <button type="button" class="link" data-action="toggle-register" onClick={() => setRegistering(!registering)}>
        {registering ? t.haveAccount : t.newHere}
      </button>
    </form>
  );
}

function Qr({ data }: { data: string }) {
  const qr = qrcode(0, 'M');
  qr.addData(data);
  qr.make();
  // The library's own SVG markup of a string we made: no user input reaches it but the URL it encodes.
  return <div class="qr" data-qr dangerouslySetInnerHTML={{ __html: qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }) }} />;
}

function BookingCard({ id, timeZone, onGone }: { id: string; timeZone: string; onGone: () => void }) {
  const [t, l] = useStrings(STRINGS);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [payment, setPayment] = useState<Payment | null>(null);
  const [refund, setRefund] = useState<number | null>(null);
  const [error, setError] = useState('');
  // A booking just decided may not be in the read model yet: a 404 then means "a moment", not "never".
  const load = async (tries = 20): Promise<void> => {
    try {
      setBooking(await api<Booking>('GET', `/bookings/${id}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && tries > 1) {
        await new Promise((r) => setTimeout(r, 300));
        return load(tries - 1);
      }
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), [id]);
  // Confirmation follows the payment callback a moment later: look again until it shows.
  useEffect(() => {
    if (!payment || booking?.status !== 'held') return;
    const timer = setInterval(() => void load(), 700);
    return () => clearInterval(timer);
  }, [payment, booking?.status]);
  const run = (fn: () => Promise<unknown>) => () => {
    setError('');
    fn().catch((e: Error) => setError(e.message));
  };
  if (!booking) return <section class="card">{error ? <p class="error">{t.error + error}</p> : '…'}</section>;
  return (
    <section class="card booking" data-booking={booking.id} data-booking-status={booking.status}>
      <h2>{t.booking}</h2>
      <p class="status">{t.status[booking.status] ?? booking.status}</p>
      <p>
        {new Date(booking.start).toLocaleDateString(l, { timeZone, month: 'short', day: 'numeric', weekday: 'short' })}{' '}
        {clockTime(booking.start, l, timeZone)}–{clockTime(booking.end, l, timeZone)}
      </p>
      <p>
        {t.total} {yuan(booking.price.total)} · {t.deposit} {yuan(booking.price.deposit)}
      </p>
      {booking.status === 'held' && booking.holdExpiresAt && (
        <p class="note">
          {t.holdUntil} {clockTime(booking.holdExpiresAt, l, timeZone)}
        </p>
      )}
      {booking.status === 'held' && !payment && (
        <button
          class="primary"
          data-action="pay"
          onClick={run(async () => setPayment(await api<Payment>('POST', `/bookings/${id}/payments`, { purpose: 'deposit' })))}
        >
          {t.payDeposit} {yuan(booking.price.deposit)}
        </button>
      )}
      {booking.status === 'held' && payment && (
        <div class="pay">
          <p>{t.scanToPay}</p>
          <Qr data={payment.codeUrl ?? new URL(payment.sandboxCompleteUrl ?? '', location.href).href} />
          {payment.sandboxCompleteUrl && (
            <button data-action="sandbox-pay" onClick={run(() => fetch(payment.sandboxCompleteUrl!, { method: 'POST' }))}>
              {t.sandboxPay}
            </button>
          )}
        </div>
      )}
      {(booking.status === 'held' || booking.status === 'confirmed') && (
        <button
          class="danger"
          data-action="cancel"
          onClick={run(async () => {
            const r = await api<{ status: string; refund?: { total: number } }>('POST', `/bookings/${id}/cancel`);
            setRefund(r.refund?.total ?? 0);
            // The answer is the decision; GET /bookings/:id shows it once the read model has caught up.
            setBooking({ ...booking, status: r.status });
          })}
        >
          {t.cancel}
        </button>
      )}
      {refund !== null && refund > 0 && (
        <p>
          {t.refund} {yuan(refund)}
        </p>
      )}
      {['cancelled', 'expired', 'checked_out', 'no_show'].includes(booking.status) && (
        <button class="link" onClick={onGone}>
          ×
        </button>
      )}
      {error && <p class="error">{t.error + error}</p>}
    </section>
  );
}

type Tracked =
  | { kind: 'none' }
  | { kind: 'request'; id: string; position: number; refused?: string }
  | { kind: 'waitlist'; id: string; position?: number; status: string }
  | { kind: 'booking'; id: string };

const TRACKED = 'ktv.guest.tracked';

function Home({ timeZone }: { timeZone: string }) {
  const [t] = useStrings(STRINGS);
  const [offers, setOffers] = useState<Offer[] | null>(null);
  const [wish, setWish] = useState<Wish | null>(null);
  const [tracked, setTracked] = useState<Tracked>(() => JSON.parse(sessionStorage.getItem(TRACKED) ?? '{"kind":"none"}') as Tracked);
  // Kept for the tab, so a reload still shows the booking, the place in the queue or on the waitlist.
  useEffect(() => sessionStorage.setItem(TRACKED, JSON.stringify(tracked)), [tracked]);
  const [stream, setStream] = useState<StreamStatus>('connecting');
  const [error, setError] = useState('');

  // What the page waits on, read again whenever the stream (re)connects: a notice missed while away is not replayed.
  const refresh = async (now: Tracked) => {
    if (now.kind === 'request') {
      const r = await api<{ status: string; position?: number; bookingId?: string; problem?: { detail?: string } }>(
        'GET',
        `/booking-requests/${now.id}`,
      );
      settle({ event: 'booking-request', data: { id: now.id, ...r } }, now);
    } else if (now.kind === 'waitlist') {
      const w = await api<{ status: string; position?: number; bookingId?: string }>('GET', `/waitlist/${now.id}`);
      settle({ event: 'waitlist', data: { id: now.id, ...w } }, now);
    }
  };
  const settle = (n: Notice & { data: { position?: number } }, now: Tracked) => {
    if (now.kind === 'none' || now.kind === 'booking' || now.id !== n.data.id) return;
    if (n.data.bookingId && (n.data.status === 'held' || n.data.status === 'offered')) {
      if (n.event === 'waitlist') setTracked({ kind: 'waitlist', id: now.id, status: 'offered' });
      setTimeout(() => setTracked({ kind: 'booking', id: n.data.bookingId! }), n.event === 'waitlist' ? 1500 : 0);
    } else if (n.data.status === 'refused')
      setTracked({ kind: 'request', id: now.id, position: 0, refused: n.data.problem?.detail ?? n.data.problem?.code ?? '' });
    else if (now.kind === 'request' && n.data.position) setTracked({ ...now, position: n.data.position });
    else if (now.kind === 'waitlist') setTracked({ ...now, status: n.data.status, position: n.data.position });
  };
  // The latest tracked item for the stream's callbacks, which outlive renders.
  const [latest] = useState<{ current: Tracked }>({ current: tracked });
  latest.current = tracked;
  useEffect(
    () =>
      guestStream(
        (n) => settle(n, latest.current),
        () => void refresh(latest.current).catch(() => {}),
        setStream,
      ),
    [],
  );
  // Until the outcome, the queue position moves as those ahead are served.
  useEffect(() => {
    if (tracked.kind !== 'request' || tracked.refused !== undefined) return;
    const timer = setInterval(() => void refresh(latest.current).catch(() => {}), 3000);
    return () => clearInterval(timer);
  }, [tracked.kind]);

  const search = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const w = {
      start: venueInstant(text(form, 'date'), text(form, 'time'), timeZone),
      durationMinutes: Number(text(form, 'duration')),
      partySize: Number(text(form, 'partySize')),
    };
    setWish(w);
    setError('');
    const q = new URLSearchParams({ start: w.start, durationMinutes: String(w.durationMinutes), partySize: String(w.partySize) });
    api<Offer[]>('GET', `/availability?${q.toString()}`)
      .then(setOffers)
      .catch((err: Error) => setError(err.message));
  };
  const hold = (roomId: string) => {
    if (!wish) return;
    setError('');
    api<{ id: string; status: string; position?: number }>('POST', '/bookings', { roomId, ...wish })
      .then((r) => {
        setOffers(null);
        setTracked(r.status === 'queued' ? { kind: 'request', id: r.id, position: r.position ?? 1 } : { kind: 'booking', id: r.id });
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : String(err)));
  };
  const joinWaitlist = () => {
    if (!wish) return;
    api<{ id: string; position: number }>('POST', '/waitlist', wish)
      .then((r) => {
        setOffers(null);
        setTracked({ kind: 'waitlist', id: r.id, position: r.position, status: 'waiting' });
      })
      .catch((err: Error) => setError(err.message));
  };

  return (
    <main data-stream={stream}>
      <form class="card search" onSubmit={search}>
        <div class="row">
          <label>
            {t.date}
            <input name="date" type="date" required defaultValue={venueToday(timeZone)} />
          </label>
          <label>
            {t.time}
            <input name="time" type="time" required step={1800} defaultValue="20:00" />
          </label>
        </div>
        <div class="row">
          <label>
            {t.duration}
            <select name="duration">
              {[1, 2, 3, 4].map((h) => (
                <option value={h * 60} selected={h === 2}>
                  {t.hours(h)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.partySize}
            <input name="partySize" type="number" min={1} max={50} required defaultValue="4" />
          </label>
        </div>
        <button type="submit" class="primary">
          {t.search}
        </button>
      </form>
      {error && <p class="error card">{t.error + error}</p>}
      {offers && (
        <ul class="offers">
          {offers.map((o) => (
            <li class="card offer" data-offer={o.name}>
              <div>
                <strong>{o.name}</strong>
                <span class="muted">
                  {o.type} · {t.capacity(o.capacity)}
                </span>
              </div>
              <span class="price">{yuan(o.price.total)}</span>
              <button class="primary" data-action="hold" onClick={() => hold(o.roomId)}>
                {t.hold}
              </button>
            </li>
          ))}
          {offers.length === 0 && (
            <li class="card">
              <p>{t.noRooms}</p>
              <button class="primary" data-action="join-waitlist" onClick={joinWaitlist}>
                {t.joinWaitlist}
              </button>
            </li>
          )}
        </ul>
      )}
      {tracked.kind === 'request' && (
        <section class="card queue" data-queue-position={tracked.refused === undefined ? tracked.position : undefined}>
          {tracked.refused === undefined ? (
            <>
              <h2>{t.queued}</h2>
              <p class="big">{t.position(tracked.position)}</p>
              <p class="note">{t.queueNote}</p>
            </>
          ) : (
            <p class="error" data-refused>
              {t.refused + tracked.refused}
            </p>
          )}
        </section>
      )}
      {tracked.kind === 'waitlist' && (
        <section class="card waitlist" data-waitlist-status={tracked.status}>
          <h2>{t.waitlist}</h2>
          <p>
            {tracked.status === 'waiting' && t.waiting(tracked.position ?? 1)}
            {tracked.status === 'offered' && t.offered}
            {tracked.status === 'expired' && t.waitlistExpired}
          </p>
        </section>
      )}
      {tracked.kind === 'booking' && <BookingCard id={tracked.id} timeZone={timeZone} onGone={() => setTracked({ kind: 'none' })} />}
    </main>
  );
}

function App() {
  const [t, current] = useStrings(STRINGS);
  const [signedIn, setSignedIn] = useState(session() !== null);
  const [timeZone, setTimeZone] = useState<string | null>(null);
  useEffect(
    () =>
      onSessionChange(() => {
        // What one guest was following is not the next one's to see.
        if (!session()) sessionStorage.removeItem(TRACKED);
        setSignedIn(session() !== null);
      }),
    [],
  );
  useEffect(() => {
    void fetch('/venue')
      .then((r) => r.json() as Promise<{ timeZone: string }>)
      .then((v) => setTimeZone(v.timeZone));
  }, []);
  return (
    <>
      <header>
        <span class="brand">KTV · {t.title}</span>
        <button class="link" data-action="language" onClick={() => setLang(current === 'en' ? 'zh-CN' : 'en')}>
          {t.language}
        </button>
        {signedIn && (
          <button class="link" onClick={signOut}>
            {t.signOut}
          </button>
        )}
      </header>
      {!signedIn ? <Account /> : timeZone ? <Home timeZone={timeZone} /> : null}
    </>
  );
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);

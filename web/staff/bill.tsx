import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../shared/api.js';
import { session } from '../shared/auth.js';
import { useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';

export const yuan = (fen: number) => `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toFixed(2)}`;
export type Bill = { total: number; paid: number; due: number; lines?: { kind: string; description: string; amount: number }[] };
type Product = { id: string; name: string; unit: string; price: number; stock: number | null };
type Correction = { id: string; kind: string; amount: number | null; percent: number | null; reason: string; status: string };
/** Runs a form's command and reports its outcome (`useRun` below). */
export type Run = (fn: (form: FormData) => Promise<string | void>) => (e: Event) => void;

type Outcome = { ok: boolean; text: string } | null;

/**
 * Form submit handlers running one command each, the outcome shown under the form's panel (a
 * command's answer, or the API's problem with its code), the panel busy meanwhile.
 */
export function useRun(): [Run, Outcome, boolean] {
  const [t] = useStrings(STRINGS);
  const [message, setMessage] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const run: Run = (fn) => (e) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    // The button pressed is part of the form's data (a form with two submit buttons says which).
    fn(new FormData(e.currentTarget as HTMLFormElement, (e as SubmitEvent).submitter as HTMLButtonElement | null))
      .then((out) => setMessage({ ok: true, text: out || t.done }))
      .catch((err: unknown) =>
        setMessage({
          ok: false,
          text: err instanceof ApiError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err),
        }),
      )
      .finally(() => setBusy(false));
  };
  return [run, message, busy];
}

export const Result = ({ message }: { message: Outcome }) =>
  message && (
    <p class={message.ok ? 'result' : 'result error'} data-result={message.ok ? 'ok' : 'error'}>
      {message.text}
    </p>
  );

export const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
};

/** The party's bill as it stands: add orders, take something off (or ask a manager to), answer pending requests. */
export function BillActions({ bookingId, run }: { bookingId: string; run: Run }) {
  const [t] = useStrings(STRINGS);
  const [products, setProducts] = useState<readonly Product[]>([]);
  const [bill, setBill] = useState<Bill | null>(null);
  const [pending, setPending] = useState<readonly Correction[]>([]);
  const refresh = () =>
    api<Correction[]>('GET', `/bookings/${bookingId}/adjustments`)
      .then((list) => setPending(list.filter((c) => c.status === 'pending')))
      .catch(() => {}); // the list is a convenience; commands answer for themselves
  useEffect(() => {
    api<Product[]>('GET', '/products?available=true')
      .then(setProducts)
      .catch(() => {});
    void refresh();
  }, [bookingId]);
  const billed = (b: Bill) => {
    setBill(b);
    return t.bill(yuan(b.total), yuan(b.paid), yuan(b.due));
  };

  const order = run(async (f) => {
    const out = await api<{ bill: Bill }>('POST', `/bookings/${bookingId}/orders`, {
      items: [{ productId: text(f, 'productId'), quantity: Number(text(f, 'quantity')) }],
    });
    return billed(out.bill);
  });
  /** The correction the form asks for: an amount in yuan or a percent, as its kind takes. */
  const correction = (f: FormData) => {
    const kind = text(f, 'kind');
    const value = text(f, 'value');
    const body: Record<string, unknown> = { kind, reason: text(f, 'reason') };
    if (kind === 'discount' && value.endsWith('%')) body.percent = Number(value.slice(0, -1));
    else if (kind !== 'comp' && value !== '') body.amount = Math.round(Number(value) * 100);
    return body;
  };
  const adjust = run(async (f) => {
    // The submit button pressed says whether to apply it now or ask a manager.
    if (text(f, 'ask') === '1') {
      await api('POST', `/bookings/${bookingId}/adjustment-requests`, correction(f));
      setTimeout(() => void refresh(), 500);
      return t.asked;
    }
    return billed((await api<{ bill: Bill }>('POST', `/bookings/${bookingId}/adjustments`, correction(f))).bill);
  });
  const answer = (c: Correction, verdict: 'approve' | 'decline') =>
    run(async () => {
      const path = `/bookings/${bookingId}/adjustment-requests/${c.id}/${verdict}`;
      const out = await api<{ bill?: Bill }>('POST', path, verdict === 'decline' ? { reason: t.declined } : undefined);
      setPending((list) => list.filter((p) => p.id !== c.id));
      return out.bill ? billed(out.bill) : t.done;
    });

  return (
    <>
      <form onSubmit={order} data-action="order">
        <label>
          {t.product}
          <select name="productId">
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} {yuan(p.price)}/{p.unit}
                {p.stock === null ? '' : ` (${p.stock})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.quantity}
          <input name="quantity" type="number" min="1" max="999" value="1" />
        </label>
        <button type="submit" disabled={products.length === 0}>
          {t.order}
        </button>
      </form>
      <form onSubmit={adjust} data-action="adjust">
        <label>
          {t.adjustment}
          <select name="kind">
            <option value="discount">{t.kinds.discount}</option>
            <option value="comp">{t.kinds.comp}</option>
            <option value="round_off">{t.kinds.round_off}</option>
          </select>
        </label>
        <label>
          {t.amountOrPercent}
          <input name="value" placeholder="10% / 5.00" />
        </label>
        <label>
          {t.reason}
          <input name="reason" maxLength={200} required />
        </label>
        <button type="submit" name="ask" value="0">
          {t.apply}
        </button>
        <button type="submit" name="ask" value="1" class="secondary">
          {t.askManager}
        </button>
      </form>
      {pending.length > 0 && (
        <ul class="requests" data-list="requests">
          {pending.map((c) => (
            <li key={c.id} data-request={c.kind}>
              <span>
                {t.kinds[c.kind as keyof typeof t.kinds] ?? c.kind}{' '}
                {c.percent !== null ? `${c.percent}%` : c.amount !== null ? yuan(c.amount) : ''} · {c.reason}
              </span>
              <form onSubmit={answer(c, 'approve')} data-action="approve">
                <button type="submit">{t.approve}</button>
              </form>
              <form onSubmit={answer(c, 'decline')} data-action="decline">
                <button type="submit" class="secondary">
                  {t.decline}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      {bill?.lines && (
        <table class="bill-lines" data-bill>
          <tbody>
            {bill.lines.map((l, i) => (
              <tr key={i}>
                <td>{l.description}</td>
                <td class="amount">{yuan(l.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/**
 * Opens a page of the API to print (a receipt, the daily close): fetched with the desk's token (a
 * plain link would carry none) and written into a new window. Such pages are read from the read
 * models, which may be a moment behind the command before, so a 409 is asked again a few times.
 */
export async function openPrintable(path: string): Promise<void> {
  const win = window.open('', '_blank');
  const get = () => fetch(path, { headers: { authorization: `Bearer ${session()?.accessToken ?? ''}` } });
  let res = await get();
  for (let tries = 0; res.status === 409 && tries < 10; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    res = await get();
  }
  const html = await res.text();
  if (!win) return;
  win.document.open();
  win.document.write(html);
  win.document.close();
}

/** A checked-out booking's receipt, to print. */
export const openReceipt = (bookingId: string) => openPrintable(`/bookings/${bookingId}/receipt`);

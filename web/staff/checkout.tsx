import { api } from '../shared/api.js';
import { useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import { TILL_STRINGS, fenOf } from './till-strings.js';
import { text, yuan, type Bill, type Run } from './bill.js';

type Settled = { bill: Bill; settlement?: { payments: { method: string; amount: number }[]; cashTendered: number; change: number } };

/**
 * 结账 at the desk: one method as before, or a split across two (cash, card, stored value; one part
 * may leave its amount blank and take the rest), and the cash the guest hands over so the change is
 * shown to the waiter (in the sheet's result, which stays after the room leaves the sheet's state). The API checks the split against the bill before closing the room.
 */
export function CheckOut({ bookingId, run, onCheckedOut }: { bookingId: string; run: Run; onCheckedOut: () => void }) {
  const [t] = useStrings(STRINGS);
  const [m] = useStrings(TILL_STRINGS);

  /** The request body: a plain `settlement` when nothing is split or tendered, `payments` otherwise. */
  const bodyOf = (f: FormData) => {
    const first = text(f, 'method1');
    const second = text(f, 'method2');
    const tendered = fenOf(text(f, 'cashTendered'));
    const memberId = text(f, 'memberId').trim() || undefined;
    if (first === 'none') return { settlement: 'none' };
    if (!second && tendered === undefined && fenOf(text(f, 'amount1')) === undefined && first !== 'stored_value')
      return { settlement: first };
    const part = (method: string, amount: string) => ({
      method,
      ...(fenOf(amount) === undefined ? {} : { amount: fenOf(amount) }),
      ...(method === 'stored_value' && memberId ? { memberId } : {}),
    });
    const payments = [part(first, text(f, 'amount1')), ...(second ? [part(second, text(f, 'amount2'))] : [])];
    return { payments, ...(tendered === undefined ? {} : { cashTendered: tendered }) };
  };
  const checkOut = run(async (f) => {
    const out = await api<Settled>('POST', `/bookings/${bookingId}/check-out`, bodyOf(f));
    onCheckedOut();
    const bill = t.bill(yuan(out.bill.total), yuan(out.bill.paid), yuan(out.bill.due));
    if (!out.settlement?.cashTendered) return bill;
    return `${m.change(yuan(out.settlement.change))} · ${bill}`;
  });
  const methods = (
    <>
      <option value="cash">{t.cash}</option>
      <option value="card">{t.card}</option>
      <option value="stored_value">{m.methods.stored_value}</option>
    </>
  );

  return (
    <form onSubmit={checkOut} data-action="check-out" class="check-out">
      <label>
        {t.settlement}
        <select name="method1">
          {methods}
          <option value="none">{t.none}</option>
        </select>
      </label>
      <label>
        {m.amount}
        <input name="amount1" inputMode="decimal" placeholder={m.rest} />
      </label>
      <details>
        <summary>{m.split}</summary>
        <label>
          {m.secondPart}
          <select name="method2">
            <option value="">—</option>
            {methods}
          </select>
        </label>
        <label>
          {m.amount}
          <input name="amount2" inputMode="decimal" placeholder={m.rest} />
        </label>
        <label>
          {m.memberForStoredValue}
          <input name="memberId" maxLength={64} />
        </label>
      </details>
      <label>
        {m.cashTendered}
        <input name="cashTendered" inputMode="decimal" />
      </label>
      <button type="submit">{t.checkOut}</button>
    </form>
  );
}

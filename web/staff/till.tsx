import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { session } from '../shared/auth.js';
import { useStrings } from '../shared/i18n.js';
import { TILL_STRINGS, fenOf } from './till-strings.js';
import { openPrintable, Result, text, useRun, yuan } from './bill.js';
import { businessDay } from '../shared/time.js';

type ByMethod = Record<'cash' | 'card' | 'wechatpay' | 'stored_value', number>;
type Shift = {
  shiftId: string;
  status: 'open' | 'closed';
  openingCash: number;
  totals: { byMethod: ByMethod; refunds: ByMethod };
  expectedCash: number;
};
type Closed = { shiftId: string; expectedCash: number; countedCash: number; difference: number; handedOverCash: number };
type Balance = { balance: number; paid?: number; bonus?: number };
/**
 * 交班: the signed-in staff member's shift. Open it with the float; while open, what it has taken
 * by method and the cash the drawer should hold (read again every few seconds, the read model
 * following the desk's commands); close it with the counted cash, the difference shown as it is
 * typed and a reason asked for when it is not zero, and what stays in the drawer for the next shift.
 */
function Till() {
  const [m] = useStrings(TILL_STRINGS);
  const [run, message, busy] = useRun();
  const [shift, setShift] = useState<Shift | null>(null);
  const [closed, setClosed] = useState<Closed | null>(null);
  const [counted, setCounted] = useState('');
  // A manager sees everyone's shifts unless one is named: the till is the caller's own.
  const refresh = () =>
    api<Shift[]>('GET', `/shifts?staffId=${encodeURIComponent(session()?.userId ?? '')}&limit=1`)
      .then((list) => setShift(list.find((s) => s.status === 'open') ?? null))
      .catch(() => {}); // the figures are a convenience; commands answer for themselves
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 3_000);
    return () => clearInterval(timer);
  }, []);

  const open = run(async (f) => {
    const takeOverFrom = text(f, 'takeOverFrom').trim();
    const out = await api<{ shiftId: string; openingCash: number }>('POST', '/shifts', {
      openingCash: fenOf(text(f, 'openingCash')) ?? 0,
      ...(takeOverFrom ? { takeOverFrom } : {}),
    });
    setClosed(null);
    await refresh();
    return m.openedWith(out.shiftId, yuan(out.openingCash));
  });
  const close = run(async (f) => {
    const reason = text(f, 'reason').trim();
    const out = await api<Closed>('POST', `/shifts/${shift!.shiftId}/close`, {
      countedCash: fenOf(text(f, 'countedCash')) ?? 0,
      handedOverCash: fenOf(text(f, 'handedOverCash')) ?? 0,
      ...(reason ? { reason } : {}),
    });
    setClosed(out);
    setShift(null);
    setCounted('');
    return m.closed(out.shiftId);
  });
  const countedFen = fenOf(counted);
  const difference = shift && countedFen !== undefined && !Number.isNaN(countedFen) ? countedFen - shift.expectedCash : null;

  return (
    <section class="panel" data-till={shift ? 'open' : 'none'} data-expected={shift?.expectedCash}>
      <h2>{m.till}</h2>
      <fieldset disabled={busy}>
        {shift ? (
          <>
            <p>{m.shiftOpen(shift.shiftId)}</p>
            <table class="figures">
              <tbody>
                {(Object.keys(shift.totals.byMethod) as (keyof ByMethod)[]).map((k) => (
                  <tr key={k} data-taken={k}>
                    <td>
                      {m.takings} · {m.methods[k]}
                    </td>
                    <td class="amount">{yuan(shift.totals.byMethod[k])}</td>
                  </tr>
                ))}
                <tr>
                  <td>{m.refunds}</td>
                  <td class="amount">{yuan(Object.values(shift.totals.refunds).reduce((a, b) => a + b, 0))}</td>
                </tr>
                <tr>
                  <td>{m.openingCash}</td>
                  <td class="amount">{yuan(shift.openingCash)}</td>
                </tr>
                <tr class="total">
                  <td>{m.expectedCash}</td>
                  <td class="amount">{yuan(shift.expectedCash)}</td>
                </tr>
              </tbody>
            </table>
            <button type="button" class="secondary" onClick={() => void refresh()}>
              {m.refresh}
            </button>
            <form onSubmit={close} data-action="close-shift">
              <label>
                {m.countedCash}
                <input name="countedCash" inputMode="decimal" required value={counted} onInput={(e) => setCounted(e.currentTarget.value)} />
              </label>
              {difference !== null && (
                <p class={difference === 0 ? 'difference' : 'difference warning'} data-difference={difference}>
                  {m.difference} {yuan(difference)}
                </p>
              )}
              <label>
                {m.differenceReason}
                <input name="reason" maxLength={500} required={difference !== null && difference !== 0} />
              </label>
              <label>
                {m.handedOverCash}
                <input name="handedOverCash" inputMode="decimal" />
              </label>
              <button type="submit">{m.closeShift}</button>
            </form>
          </>
        ) : (
          <>
            <p>{m.noShift}</p>
            <form onSubmit={open} data-action="open-shift">
              <label>
                {m.openingCash}
                <input name="openingCash" inputMode="decimal" required />
              </label>
              <label>
                {m.takeOverFrom}
                <input name="takeOverFrom" maxLength={64} />
              </label>
              <button type="submit">{m.openShift}</button>
            </form>
          </>
        )}
      </fieldset>
      {closed && (
        <p class="closed" data-closed={closed.shiftId} data-difference={closed.difference}>
          {m.expectedCash} {yuan(closed.expectedCash)} · {m.countedCash} {yuan(closed.countedCash)} · {m.difference}{' '}
          {yuan(closed.difference)} · {m.handedOverCash} {yuan(closed.handedOverCash)}
        </p>
      )}
      <Result message={message} />
    </section>
  );
}

/**
 * 储值 at the desk. Waiters may not read users, so they name the member by id (the member shows it in
 * their account); managers may give an e-mail, looked up with `GET /users`.
 */
function TopUp() {
  const [m] = useStrings(TILL_STRINGS);
  const [run, message, busy] = useRun();
  const [balance, setBalance] = useState<Balance | null>(null);
  const canReadUsers = (session()?.roles ?? []).some((r) => r === 'manager' || r === 'admin');

  const memberOf = async (f: FormData) => {
    const given = text(f, 'member').trim();
    if (!given.includes('@')) return given;
    if (!canReadUsers) throw new Error(m.emailNeedsManager);
    const [user] = await api<{ id: string }[]>('GET', `/users?email=${encodeURIComponent(given)}`);
    if (!user) throw new Error(m.noMember);
    return user.id;
  };
  const submit = run(async (f) => {
    const member = encodeURIComponent(await memberOf(f));
    setBalance(null);
    if (text(f, 'do') === 'balance') return void setBalance(await api<Balance>('GET', `/members/${member}/balance`));
    const body = { amount: fenOf(text(f, 'amount')) ?? 0, method: text(f, 'method') };
    const out = await api<{ paid: number; bonus: number; balance: number }>('POST', `/members/${member}/top-ups`, body);
    // The wallet's own answer: the balance route reads a model that may be a moment behind.
    setBalance({ balance: out.balance });
    return m.toppedUp(yuan(out.paid), yuan(out.bonus));
  });

  return (
    <section class="panel" data-panel="top-up">
      <h2>{m.topUp}</h2>
      <fieldset disabled={busy}>
        <form onSubmit={submit} data-action="top-up">
          <label>
            {m.member}
            <input name="member" maxLength={254} required />
          </label>
          <label>
            {m.amount}
            <input name="amount" inputMode="decimal" />
          </label>
          <label>
            {m.method}
            <select name="method">
              <option value="cash">{m.methods.cash}</option>
              <option value="card">{m.methods.card}</option>
              <option value="wechatpay">{m.methods.wechatpay}</option>
            </select>
          </label>
          <button type="submit" name="do" value="top-up">
            {m.topUpButton}
          </button>
          <button type="submit" name="do" value="balance" class="secondary">
            {m.balanceButton}
          </button>
        </form>
      </fieldset>
      {balance && (
        <p class="balance" data-balance={balance.balance}>
          {balance.paid === undefined || balance.bonus === undefined
            ? m.balanceNow(yuan(balance.balance))
            : m.balance(yuan(balance.balance), yuan(balance.paid), yuan(balance.bonus))}
        </p>
      )}
      <Result message={message} />
    </section>
  );
}

/** 日结 for managers: the business day's close, to print or as CSV (fetched with the token). */
function DailyClose() {
  const [m] = useStrings(TILL_STRINGS);
  const [run, message, busy] = useRun();
  const [date, setDate] = useState('');
  useEffect(() => {
    api<{ timeZone: string; businessDayStartMinute: number }>('GET', '/venue')
      .then((v) => setDate((d) => d || businessDay(Date.now(), v.timeZone, v.businessDayStartMinute).date))
      .catch(() => {}); // the date can be typed
  }, []);
  const print = run(async (f) => {
    if (text(f, 'as') !== 'csv') return void (await openPrintable(`/reports/daily-close.html?date=${encodeURIComponent(date)}`));
    const res = await fetch(`/reports/daily-close.csv?date=${encodeURIComponent(date)}`, {
      headers: { authorization: `Bearer ${session()?.accessToken ?? ''}` },
    });
    if (!res.ok) throw new Error(res.statusText);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await res.blob());
    link.download = `daily-close-${date}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  return (
    <section class="panel" data-panel="daily-close">
      <h2>{m.dailyClose}</h2>
      <fieldset disabled={busy}>
        <form onSubmit={print} data-action="daily-close">
          <label>
            {m.businessDate}
            <input name="date" type="date" required value={date} onInput={(e) => setDate(e.currentTarget.value)} />
          </label>
          <button type="submit" name="as" value="html">
            {m.printClose}
          </button>
          <button type="submit" name="as" value="csv" class="secondary">
            {m.closeCsv}
          </button>
        </form>
      </fieldset>
      <Result message={message} />
    </section>
  );
}

/** The desk's money under the board: the till, top-ups, and (managers) the daily close. */
export function Desk() {
  const closes = (session()?.roles ?? []).some((r) => r === 'manager' || r === 'admin');
  return (
    <section class="desk" data-desk>
      <Till />
      <TopUp />
      {closes && <DailyClose />}
    </section>
  );
}

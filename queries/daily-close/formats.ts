import { stringify } from 'csv-stringify/sync';
import type { DailyClose } from './close.js';

/** The close as flat rows (section, item, fen): what both the CSV and the printable page list. */
export function closeRows(c: DailyClose): { section: string; item: string; amount: number }[] {
  const rows: { section: string; item: string; amount: number }[] = [];
  const add = (section: string, values: Readonly<Record<string, number | boolean>>) => {
    for (const [item, amount] of Object.entries(values)) if (typeof amount === 'number') rows.push({ section, item, amount });
  };
  add('revenue', { ...c.revenue, overtimeBilled: c.overtimeBilled });
  add('payments', c.payments);
  add('top_ups', c.topUps);
  add('refunds', c.refunds);
  add('stored_value', c.storedValue);
  add('deposits', c.deposits);
  add('ledger', c.ledger);
  for (const s of c.shifts)
    add(`shift ${s.shiftId}`, { expectedCash: s.expectedCash, countedCash: s.countedCash, difference: s.difference });
  for (const o of c.outsideShifts) rows.push({ section: 'outside_shifts', item: `${o.kind} ${o.method}`, amount: o.amount });
  return rows;
}

export const closeCsv = (c: DailyClose): string =>
  stringify(
    closeRows(c).map((r) => ({ business_date: c.businessDate, ...r })),
    { header: true, columns: ['business_date', 'section', 'item', { key: 'amount', header: 'amount_fen' }] },
  );

const LABELS: Record<string, string> = {
  revenue: '营业收入 Revenue (net of VAT)',
  payments: '收款 Payments by method',
  top_ups: '储值充值 Stored-value top-ups',
  refunds: '退款 Refunds',
  stored_value: '储值 Stored value',
  deposits: '定金 Deposits',
  ledger: '账簿 Ledger',
  outside_shifts: '班次外收款 Money taken outside any shift',
};

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const yuan = (fen: number) => (fen / 100).toFixed(2);

/** A printable page (A4 or an 80 mm receipt printer), the same rows as the CSV. */
export function closeHtml(c: DailyClose): string {
  const sections = new Map<string, { item: string; amount: number }[]>();
  for (const r of closeRows(c)) sections.set(r.section, [...(sections.get(r.section) ?? []), r]);
  const body = [...sections]
    .map(
      ([section, rows]) =>
        `<h2>${escape(LABELS[section] ?? section)}</h2><table>${rows
          .map((r) => `<tr><td>${escape(r.item)}</td><td class="n">${yuan(r.amount)}</td></tr>`)
          .join('')}</table>`,
    )
    .join('\n');
  const reasons = c.shifts
    .filter((s) => s.reason)
    .map((s) => `<li>${escape(s.shiftId)}: ${escape(s.reason ?? '')}</li>`)
    .join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>日结 Daily close ${escape(c.businessDate)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em}h1{font-size:20px}h2{font-size:15px;margin:1.2em 0 .3em}
table{border-collapse:collapse;width:100%;max-width:40em}td{border-bottom:1px solid #ddd;padding:2px 4px}.n{text-align:right;font-variant-numeric:tabular-nums}
@media print{body{margin:0}@page{size:A4;margin:15mm}}
@media print and (max-width:90mm){body{font-size:11px}@page{size:80mm auto;margin:3mm}}
</style></head><body>
<h1>日结 Daily close · ${escape(c.businessDate)} · CNY ¥</h1>
${body}
${reasons ? `<h2>差异原因 Reasons for cash differences</h2><ul>${reasons}</ul>` : ''}
</body></html>`;
}

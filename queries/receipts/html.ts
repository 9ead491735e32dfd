import { yuan, type Receipt } from './model.js';

export type Paper = '80mm' | 'a4';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const row = (label: string, amount: string, cls = '') =>
  `<tr${cls ? ` class="${cls}"` : ''}><td>${label}</td><td class="amt">${amount}</td></tr>`;

/**
 * Print styles: a thermal roll is 80 mm wide with about 72 mm printable, so the 80 mm layout has
 * no margins and small type; A4 centres a column with room to breathe. `@page` names the paper so
 * the browser's print dialog starts with it.
 */
const STYLE = {
  '80mm': '@page{size:80mm auto;margin:2mm 4mm}body{width:72mm;font-size:12px}',
  a4: '@page{size:A4;margin:20mm}body{width:120mm;margin:0 auto;font-size:14px}',
} as const;

/** The receipt as a page to print: self-contained (no scripts, no outside resources), zh-CN labels. */
export function receiptHtml(r: Receipt, paper: Paper): string {
  const lines = r.lines.map((l) => row(`${l.label} <small>${escape(l.description)}</small>`, yuan(l.amount))).join('');
  const tax = r.tax
    ? row(`税额 (增值税 ${r.tax.ratePercent}%)`, yuan(r.tax.amount)) + row('不含税金额', yuan(r.tax.net))
    : row('税额', yuan(0));
  const payments = r.payments
    .map((p) => row(`${escape(p.label)} <small>${escape(p.at)}</small>`, yuan(p.amount) + (p.refunded ? ` (退 ${yuan(p.refunded)})` : '')))
    .join('');
  const cash = r.cash ? row('收款 Tendered', yuan(r.cash.tendered)) + row('找零 Change', yuan(r.cash.change)) : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(r.venueName)} 结账单</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#000}
h1{font-size:1.4em;text-align:center;margin:0 0 .2em}h2{font-size:1em;text-align:center;margin:0 0 .6em;font-weight:normal}
table{width:100%;border-collapse:collapse}td{padding:1px 0;vertical-align:top}td.amt{text-align:right;white-space:nowrap}
small{color:#444}.sum td{border-top:1px dashed #000;font-weight:bold}.meta td{font-size:.9em}hr{border:0;border-top:1px dashed #000}
${STYLE[paper]}
</style></head>
<body class="paper-${paper}">
<h1>${escape(r.venueName)}</h1><h2>结账单 Receipt</h2>
<table class="meta">
<tr><td>包厢 Room</td><td class="amt">${escape(r.roomName)}</td></tr>
<tr><td>营业日 Business date</td><td class="amt">${r.businessDate}</td></tr>
<tr><td>开台 Start</td><td class="amt">${escape(r.start)}</td></tr>
<tr><td>人数 Party</td><td class="amt">${r.partySize}</td></tr>
${r.guestName ? `<tr><td>客人 Guest</td><td class="amt">${escape(r.guestName)}</td></tr>` : ''}
</table><hr>
<table class="lines">${lines}${row('合计 Total', yuan(r.total), 'sum')}${tax}</table><hr>
<table class="payments">${payments || row('付款', yuan(0))}${row('已付 Paid', yuan(r.payments.reduce((s, p) => s + p.amount, 0)), 'sum')}${cash}${row('退还 Refund', yuan(r.refund))}</table><hr>
<table class="meta"><tr><td>单号 No.</td><td class="amt">${r.bookingId.slice(0, 8)}</td></tr><tr><td>打印 Printed</td><td class="amt">${escape(r.printedAt)}</td></tr></table>
<p style="text-align:center">谢谢光临 欢迎再来</p>
</body></html>`;
}

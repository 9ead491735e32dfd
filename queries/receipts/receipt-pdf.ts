import { pdfDocument, textWidth, type PdfItem, type PdfPage } from './pdf.js';
import { yuan, type Receipt } from './model.js';
import type { Paper } from './html.js';

type Row =
  | Readonly<{ kind: 'title'; text: string; size: number }>
  | Readonly<{ kind: 'pair'; left: string; right: string }>
  | Readonly<{ kind: 'rule' }>;

const MM = 72 / 25.4;
/** Page width, margins and type size per paper: an 80 mm roll prints about 72 mm wide. */
const PAPER = {
  '80mm': { width: 80 * MM, margin: 4 * MM, size: 8, pageHeight: null },
  a4: { width: 210 * MM, margin: 25 * MM, size: 10, pageHeight: 297 * MM },
} as const;

function rows(r: Receipt): Row[] {
  const pair = (left: string, right: string): Row => ({ kind: 'pair', left, right });
  const paid = r.payments.reduce((s, p) => s + p.amount, 0);
  return [
    { kind: 'title', text: r.venueName, size: 1.5 },
    { kind: 'title', text: '结账单 Receipt', size: 1 },
    pair('包厢 Room', r.roomName),
    pair('营业日 Business date', r.businessDate),
    pair('开台 Start', r.start),
    pair('人数 Party', String(r.partySize)),
    { kind: 'rule' },
    ...r.lines.map((l) => pair(`${l.label} ${l.description}`, yuan(l.amount))),
    { kind: 'rule' },
    pair('合计 Total', yuan(r.total)),
    ...(r.tax
      ? [pair(`税额 增值税 ${r.tax.ratePercent}%`, yuan(r.tax.amount)), pair('不含税金额', yuan(r.tax.net))]
      : [pair('税额', yuan(0))]),
    { kind: 'rule' },
    ...r.payments.map((p) => pair(`${p.label} ${p.at}`, yuan(p.amount))),
    pair('已付 Paid', yuan(paid)),
    ...(r.cash ? [pair('收款 Tendered', yuan(r.cash.tendered)), pair('找零 Change', yuan(r.cash.change))] : []),
    pair('退还 Refund', yuan(r.refund)),
    { kind: 'rule' },
    pair('单号 No.', r.bookingId.slice(0, 8)),
    pair('打印 Printed', r.printedAt),
    { kind: 'title', text: '谢谢光临 欢迎再来', size: 1 },
  ];
}

/** Cuts `text` to fit `width` points, marking the cut. */
function fit(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  let out = '';
  for (const c of text) {
    if (textWidth(`${out}${c}…`, size) > width) break;
    out += c;
  }
  return `${out}…`;
}

/** The receipt as a PDF: one long page on an 80 mm roll, A4 pages otherwise. */
export function receiptPdf(r: Receipt, paper: Paper): Buffer {
  const { width, margin, size, pageHeight } = PAPER[paper];
  const all = rows(r);
  const lineHeight = size * 1.6;
  const perPage = pageHeight ? Math.floor((pageHeight - 2 * margin) / lineHeight) : all.length;
  const pages: PdfPage[] = [];
  for (let from = 0; from < all.length; from += perPage) {
    const chunk = all.slice(from, from + perPage);
    const height = pageHeight ?? chunk.length * lineHeight + 2 * margin;
    const items: PdfItem[] = [];
    chunk.forEach((row, i) => {
      const y = height - margin - (i + 1) * lineHeight + size * 0.4;
      if (row.kind === 'rule') items.push({ kind: 'rule', x1: margin, x2: width - margin, y: y + size * 0.3 });
      else if (row.kind === 'title') {
        const s = size * row.size;
        const text = fit(row.text, width - 2 * margin, s);
        items.push({ kind: 'text', x: (width - textWidth(text, s)) / 2, y, size: s, text });
      } else {
        const right = row.right;
        const rightWidth = textWidth(right, size);
        items.push({ kind: 'text', x: margin, y, size, text: fit(row.left, width - 2 * margin - rightWidth - size, size) });
        items.push({ kind: 'text', x: width - margin - rightWidth, y, size, text: right });
      }
    });
    pages.push({ width, height, items });
  }
  return pdfDocument(pages);
}

/**
 * A minimal PDF 1.4 writer for receipts: text and dashed rules on pages, in one font, no images.
 *
 * The font is Adobe's STSong-Light through the predefined `UniGB-UCS2-H` CMap, one of the CJK
 * fonts PDF readers are expected to provide, so nothing is embedded and the file stays a few KB.
 * The honest limit: a reader without the Adobe-GB1 font resources (Acrobat's Asian font pack,
 * pdf.js and most phone viewers have them; some minimal viewers do not) substitutes another font
 * or shows blanks for the Chinese labels. Embedding a subset of a free CJK font (Noto Sans SC,
 * 8 MB and up) would remove that limit at the cost of a font subsetter; see the README.
 */

export type PdfItem =
  | Readonly<{ kind: 'text'; x: number; y: number; size: number; text: string }>
  | Readonly<{ kind: 'rule'; x1: number; x2: number; y: number }>;
export type PdfPage = Readonly<{ width: number; height: number; items: readonly PdfItem[] }>;

/** Width of `text` in points at `size`: half an em for ASCII (the font's half-width Latin), a full em for the rest. */
export const textWidth = (text: string, size: number) =>
  [...text].reduce((w, c) => w + ((c.codePointAt(0) ?? 0) < 0x80 ? 500 : 1000), 0) * (size / 1000);

/** UCS-2 big-endian hex, as the UniGB-UCS2-H CMap reads it; characters outside the BMP become '?'. */
const hex = (text: string) =>
  [...text]
    .map((c) => {
      const code = c.codePointAt(0) ?? 0x3f;
      return (code > 0xffff ? 0x3f : code).toString(16).padStart(4, '0');
    })
    .join('')
    .toUpperCase();

const num = (n: number) => (Math.round(n * 100) / 100).toString();

function content(page: PdfPage): string {
  return page.items
    .map((i) =>
      i.kind === 'text'
        ? `BT /F1 ${num(i.size)} Tf 1 0 0 1 ${num(i.x)} ${num(i.y)} Tm <${hex(i.text)}> Tj ET`
        : `[2 2] 0 d 0.5 w ${num(i.x1)} ${num(i.y)} m ${num(i.x2)} ${num(i.y)} l S`,
    )
    .join('\n');
}

/** The PDF file of these pages. */
export function pdfDocument(pages: readonly PdfPage[]): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 6 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>';
  objects[4] =
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light ' +
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>';
  objects[5] =
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] ' +
    '/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>';
  pages.forEach((page, i) => {
    const id = pageIds[i] ?? 0;
    const stream = content(page);
    objects[id] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(page.width)} ${num(page.height)}] ` +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  });
  // A binary comment after the header tells transfer tools the file is binary.
  let body = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

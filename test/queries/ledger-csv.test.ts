import t from 'tap';
import { parse } from 'csv-parse/sync';
import { toCsv, type EntryLine } from '../../queries/ledger.js';

const HEADER =
  'business_date,entry_id,booking_id,event_type,source,original_date,description,line_no,account,account_name,debit_fen,credit_fen';

const line = (over: Partial<EntryLine> = {}): EntryLine => ({
  entryId: 'e-1',
  businessDate: '2026-11-20',
  bookingId: 'b-1',
  eventType: 'PaymentSucceeded',
  source: 'automatic',
  originalDate: null,
  reverses: null,
  description: 'Deposit received',
  lineNo: 1,
  account: '1012',
  debit: 5000,
  credit: 0,
  ...over,
});

t.test('an empty period is the header row alone', async (t) => {
  t.equal(toCsv([]), `${HEADER}\n`);
});

t.test('plain values are written bare, one line per journal line, money in fen', async (t) => {
  t.equal(
    toCsv([line(), line({ lineNo: 2, account: '2203', debit: 0, credit: 5000 })]),
    [
      HEADER,
      '2026-11-20,e-1,b-1,PaymentSucceeded,automatic,,Deposit received,1,1012,WeChat Pay clearing,5000,0',
      '2026-11-20,e-1,b-1,PaymentSucceeded,automatic,,Deposit received,2,2203,Customer deposits received,0,5000',
      '',
    ].join('\n'),
  );
});

t.test('commas, double quotes and line breaks inside values are quoted and read back unchanged', async (t) => {
  const tricky = [
    line({ description: 'Room "Galaxy", 3 hours' }),
    line({ lineNo: 2, description: 'first line\nsecond line', account: '6051', debit: 0, credit: 5000 }),
    line({ lineNo: 3, description: 'carriage\r\nreturn, and "" doubled' }),
    line({ lineNo: 4, description: '"' }),
  ];
  const csv = toCsv(tricky);
  t.match(csv, /,"Room ""Galaxy"", 3 hours",/, 'quotes doubled inside a quoted field');
  t.match(csv, /,"Forfeited deposits \(no-shows, late cancellations\)",/, 'an account name with a comma is quoted');
  const [header, ...rows]: string[][] = parse(csv);
  t.equal(header!.join(','), HEADER);
  t.same(
    rows.map((r) => r[6]),
    tricky.map((l) => l.description),
    'each description survives the round trip',
  );
  t.same(
    rows.map((r) => [r[7], r[8], r[10], r[11]]),
    [
      ['1', '1012', '5000', '0'],
      ['2', '6051', '0', '5000'],
      ['3', '1012', '5000', '0'],
      ['4', '1012', '5000', '0'],
    ],
    'the other columns stay in place',
  );
});

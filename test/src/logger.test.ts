import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

t.test('JSON lines unless a person reads them at a terminal', async (t) => {
  const json = capture();
  createLogger({ logLevel: 'info', logFormat: 'auto' }, { ...json, terminal: false }).info({ room: 'S01' }, 'held');
  t.match(JSON.parse(json.lines[0]!), { level: 30, msg: 'held', room: 'S01' }, 'not a terminal: JSON');

  const pretty = capture();
  createLogger({ logLevel: 'info', logFormat: 'auto' }, { ...pretty, terminal: true }).info({ room: 'S01' }, 'held');
  const line = pretty.lines.join('');
  t.throws(() => JSON.parse(line), 'a terminal: not JSON');
  t.match(line, /INFO.*held/, 'level and message on one line');
  t.match(line, /room: "S01"/, 'fields below it');

  const forced = capture();
  createLogger({ logLevel: 'info', logFormat: 'json' }, { ...forced, terminal: true }).info('held');
  t.doesNotThrow(() => JSON.parse(forced.lines[0]!), 'LOG_FORMAT=json wins over a terminal');
});

t.test('secrets are redacted in either format', async (t) => {
  for (const logFormat of ['json', 'pretty'] as const) {
    const out = capture();
    createLogger({ logLevel: 'info', logFormat }, out).info({ user: { password: 'hunter2' } }, 'sign-in');
    t.notMatch(out.lines.join(''), 'hunter2', logFormat);
  }
});

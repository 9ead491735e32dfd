import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openPlatform } from '../platform.js';
import { createRunner } from './service.js';
import { projectionLag } from '../projections/lag.js';
import { writeFile } from 'node:fs/promises';
import { withReplayedLedger } from '../../projections/ledger/replay.js';
import { ledgerProjection } from '../../projections/ledger/journal.js';
import { entriesIn, toCsv } from '../../queries/ledger.js';
import { readModelsOf } from '../../projections/read-models.js';

const USAGE = `usage: npm run cli -- <command>

  projections status           each read model's builds, checkpoints and lag
  projections rebuild <name>   build <name> again from zero beside the serving build, then switch reads to it
  ledger replay --from YYYY-MM-DD --to YYYY-MM-DD --out FILE
                               replay the ledger from the events into a scratch schema and write the
                               period's journal lines as CSV; says whether they match the serving ledger
`;

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Operator commands; each opens the same platform the service uses (so the same configuration applies). */
async function main(argv: string[]): Promise<number> {
  const [area, verb, arg] = argv;
  const from = option(argv, 'from');
  const to = option(argv, 'to');
  const out = option(argv, 'out');
  const ledgerReplay = area === 'ledger' && verb === 'replay' && from && to && out && DATE.test(from) && DATE.test(to) && from <= to;
  const projections = area === 'projections' && (verb === 'status' || (verb === 'rebuild' && arg));
  if (!ledgerReplay && !projections) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const platform = await openPlatform(config, logger);
  try {
    if (ledgerReplay) {
      const rm = readModelsOf(platform.pool);
      const live = toCsv(await entriesIn(rm, from, to));
      const replayed = await withReplayedLedger(platform.db, platform.store, ledgerProjection, async (schema) =>
        toCsv(await entriesIn(rm, from, to, schema)),
      );
      await writeFile(out, replayed);
      const lines = replayed.trim().split('\n').length - 1;
      process.stdout.write(`replayed the ledger from events: ${lines} journal lines from ${from} to ${to} written to ${out}\n`);
      process.stdout.write(
        live === replayed
          ? 'the serving ledger has exactly the same lines\n'
          : 'WARNING: the serving ledger differs from the replay (is the projector behind?)\n',
      );
      return live === replayed ? 0 : 3;
    }
    if (verb === 'status') {
      const lag = await projectionLag(platform.db, platform.store);
      process.stdout.write(`${JSON.stringify(lag, null, 2)}\n`);
      return 0;
    }
    const runner = createRunner(platform);
    const { events, ms } = await runner.rebuild(arg!);
    process.stdout.write(`rebuilt ${arg}: ${events} events in ${Math.round(ms)} ms (${Math.round(events / (ms / 1000 || 1))} events/s)\n`);
    return 0;
  } finally {
    await platform.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

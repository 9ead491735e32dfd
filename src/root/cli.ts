import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openPlatform } from '../platform.js';
import { createRunner } from './service.js';
import { projectionLag } from '../projections/lag.js';
import { writeFile } from 'node:fs/promises';
import { withReplayedLedger } from '../../projections/ledger/replay.js';
import { ledgerProjection } from '../../projections/ledger/journal.js';
import { entriesIn, toCsv } from '../../queries/ledger.js';
import { compareLines } from '../../queries/ledger-jobs.js';
import { readModelsOf } from '../../projections/read-models.js';
import { generateHistory, type HistoryOptions } from './demo/history.js';
import { backup, restore } from './backup.js';
import { progress } from './progress.js';
import * as features from './features.js';
import { sql } from 'kysely';
import type { Platform } from '../platform.js';
import type { Projection } from '../projections/projection.js';
import { grantAnalyst, isAnalystName } from '../db/analysts.js';

const USAGE = `usage: npm run cli -- <command>

  projections status           each read model's builds, checkpoints and lag
  projections rebuild <name>   build <name> again from zero beside the serving build, then switch reads to it
  ledger replay --from YYYY-MM-DD --to YYYY-MM-DD --out FILE
                               replay the ledger from the events into a scratch schema and write the
                               period's journal lines as CSV; says whether they match the serving ledger
  analysts grant NAME           create the PostgreSQL login role NAME in ktv_analyst (read-only: rm.* without personal
                               data, and the analyst views); its password is printed once and stored nowhere
  demo history [--days 90] [--guests 500] [--seed 1]
                               play a realistic history of the last --days through the real commands (the demo
                               venue first if needed): guests with stable preferences, weekly and daily
                               seasonality, holidays and eves; the same seed plays the same history, once
  backup FILE                  write the events and everything else that is not a read model to FILE (pg_dump)
  restore FILE                 load a backup into an empty database (pg_restore), then rebuild every read model

  Long work (rebuilds, replays, history, restore) shows its progress on stderr when that is a
  terminal, or anywhere with --progress.
`;

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function historyOptions(argv: string[]): HistoryOptions | null {
  const number = (name: string, fallback: number, max: number) => {
    const raw = option(argv, name);
    const n = raw === undefined ? fallback : Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : NaN;
  };
  const options = { days: number('days', 90, 365), guests: number('guests', 500, 10_000), seed: number('seed', 1, 2 ** 31) };
  return Object.values(options).some(Number.isNaN) ? null : options;
}

/** Operator commands; each opens the same platform the service uses (so the same configuration applies). */
async function main(argv: string[]): Promise<number> {
  const [area, verb, arg] = argv;
  const from = option(argv, 'from');
  const to = option(argv, 'to');
  const out = option(argv, 'out');
  const ledgerReplay = area === 'ledger' && verb === 'replay' && from && to && out && DATE.test(from) && DATE.test(to) && from <= to;
  const projections = area === 'projections' && (verb === 'status' || (verb === 'rebuild' && arg));
  const history = area === 'demo' && verb === 'history' ? historyOptions(argv) : null;
  const archive = (area === 'backup' || area === 'restore') && verb && !verb.startsWith('--') ? verb : null;
  const analyst = area === 'analysts' && verb === 'grant' && arg && isAnalystName(arg) ? arg : null;
  if (!ledgerReplay && !projections && !history && !archive && !analyst) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(
    process.env,
    // The history is one caller sending thousands of commands from one address, with tokens that must outlive it.
    history
      ? {
          COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
          REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
          LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
          ACCESS_TOKEN_TTL_SECONDS: '86400',
          OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
        }
      : {},
  );
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const platform = await openPlatform(config, logger);
  const showProgress = Boolean(process.stderr.isTTY) || argv.includes('--progress');
  // The total is only counted when progress is shown: on a large store the count takes a moment.
  const progressOf = async (label: string, total: () => Promise<number | null>, unit = 'events') =>
    progress(label, { total: showProgress ? await total() : null, unit, enabled: showProgress, out: process.stderr });
  try {
    if (archive && area === 'backup') {
      await backup(platform, archive);
      process.stdout.write(`backed up to ${archive}\n`);
      return 0;
    }
    if (archive) {
      const { events } = await restore(platform, archive);
      process.stdout.write(`restored ${events} events from ${archive}; rebuilding the read models\n`);
      const runner = createRunner(platform);
      for (const p of features.projections) {
        const shown = await progressOf(`rebuilding ${p.name}`, () => eventsOfTypes(platform, p));
        const { events: applied, ms } = await runner.rebuild(p.name, (n) => shown.update(n));
        shown.finish();
        process.stdout.write(`rebuilt ${p.name}: ${applied} events in ${Math.round(ms)} ms\n`);
      }
      return 0;
    }
    if (analyst) {
      const password = await grantAnalyst(platform.db, analyst);
      process.stdout.write(`created the login role ${analyst} in ktv_analyst; its password (shown this once): ${password}\n`);
      return 0;
    }
    if (history) {
      const started = performance.now();
      const days = await progressOf('playing history', async () => history.days, 'days');
      const report = await generateHistory(platform, history, (n) => days.update(n));
      days.finish();
      process.stdout.write(
        report
          ? `history played in ${Math.round((performance.now() - started) / 1000)} s: ${JSON.stringify(report.counts)}\n`
          : `the history of seed ${history.seed} was loaded before; nothing to do\n`,
      );
      return 0;
    }
    if (ledgerReplay) {
      const rm = readModelsOf(platform.pool);
      const live = await entriesIn(rm, from, to);
      const shown = await progressOf('replaying the ledger', () => eventsOfTypes(platform, ledgerProjection));
      const replayed = await withReplayedLedger(
        platform.db,
        platform.store,
        ledgerProjection,
        (schema) => entriesIn(rm, from, to, schema),
        (n) => shown.update(n),
      );
      shown.finish();
      await writeFile(out, toCsv(replayed));
      process.stdout.write(`replayed the ledger from events: ${replayed.length} journal lines from ${from} to ${to} written to ${out}\n`);
      const differences = compareLines(live, replayed);
      process.stdout.write(
        differences.length === 0
          ? 'the serving ledger has exactly the same lines\n'
          : `WARNING: ${differences.length} lines of the serving ledger differ from the replay (is the projector behind?)\n`,
      );
      return differences.length === 0 ? 0 : 3;
    }
    if (verb === 'status') {
      const lag = await projectionLag(platform.db, platform.store);
      process.stdout.write(`${JSON.stringify(lag, null, 2)}\n`);
      return 0;
    }
    const runner = createRunner(platform);
    const projection = features.projections.find((p) => p.name === arg);
    const shown = await progressOf(`rebuilding ${arg}`, async () => (projection ? eventsOfTypes(platform, projection) : null));
    const { events, ms } = await runner.rebuild(arg!, (n) => shown.update(n));
    shown.finish();
    process.stdout.write(`rebuilt ${arg}: ${events} events in ${Math.round(ms)} ms (${Math.round(events / (ms / 1000 || 1))} events/s)\n`);
    return 0;
  } finally {
    await platform.close();
  }
}

/** How many events a build of `projection` will apply, for its progress; unknown for a store with no cheap count. */
async function eventsOfTypes(platform: Platform, projection: Projection): Promise<number | null> {
  if (platform.store.kind !== 'postgres') return null;
  const { rows } = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM events WHERE event_type = ANY(${[...projection.eventTypes]}::text[])`.execute(platform.db);
  return Number(rows[0]?.n ?? 0);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

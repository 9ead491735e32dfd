import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openPlatform } from './platform.js';
import { createRunner } from './server.js';
import { projectionLag } from './projections/lag.js';

const USAGE = `usage: npm run cli -- <command>

  projections status           each read model's builds, checkpoints and lag
  projections rebuild <name>   build <name> again from zero beside the serving build, then switch reads to it
`;

/** Operator commands; each opens the same platform the service uses (so the same configuration applies). */
async function main(argv: string[]): Promise<number> {
  const [area, verb, arg] = argv;
  if (area !== 'projections' || (verb !== 'status' && verb !== 'rebuild') || (verb === 'rebuild' && !arg)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const platform = await openPlatform(config, logger);
  try {
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

import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const root = path.resolve(import.meta.dirname, '../..');

export type Instruction = Readonly<{ op: string; args: string }>;
export type Stage = Readonly<{ image: string; name: string | undefined; instructions: readonly Instruction[] }>;

/** The project's Dockerfile as stages of instructions (continuation lines joined, comments left out). */
export function dockerfileStages(file = path.join(root, 'Dockerfile')): Stage[] {
  const lines = readFileSync(file, 'utf8')
    .replaceAll(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [image = '', , name] = args.split(/\s+/);
      stages.push({ image, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** The arguments of every `op` instruction in a stage. */
export function argsOf(stage: Stage, op: string): string[] {
  return stage.instructions.filter((i) => i.op === op).map((i) => i.args);
}

/** The last exec-form (JSON array) `op` (CMD or ENTRYPOINT) of a stage, if any. */
export function execForm(stage: Stage, op: 'CMD' | 'ENTRYPOINT'): string[] | undefined {
  const last = argsOf(stage, op).at(-1);
  return last === undefined ? undefined : (JSON.parse(last) as string[]);
}

/** The stage's `ENV key=value …` settings (the form this Dockerfile uses, no quoting). */
export function envOf(stage: Stage): Record<string, string> {
  return Object.fromEntries(
    argsOf(stage, 'ENV')
      .flatMap((args) => args.split(/\s+/))
      .map((pair): [string, string] => {
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
  );
}

export type ComposeService = {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
};
export type ComposeFile = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

/** docker-compose.yml with its YAML merge keys (`<<: *app-env`) resolved. */
export function composeFile(file = path.join(root, 'docker-compose.yml')): ComposeFile {
  return YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** A compose value with `${VAR:-default}` / `${VAR}` resolved as compose does when VAR is unset. */
export function unsetInterpolated(value: string): string {
  return value.replaceAll(/\$\{\w+(?::?-([^}]*))?\}/g, (_m, fallback: string | undefined) => fallback ?? '');
}

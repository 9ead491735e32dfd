import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the source: commands,
 * queries and projections do not reach into each other's folders the wrong way,
 * the platform does not import features (except the assembly), and there are no
 * import cycles.
 */
const root = path.resolve(import.meta.dirname, '..');
const FOLDERS = ['src', 'commands', 'queries', 'projections'];
/** Where features are put together: only these platform files may import feature folders. */
const ASSEMBLY = ['src/features.ts', 'src/cli.ts', 'src/demo/seed.ts'];

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

const graph = new Map<string, string[]>();
for (const file of FOLDERS.flatMap(files)) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)].map((m) =>
    path.normalize(path.join(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
  );
  graph.set(file, imports);
}
const top = (file: string) => file.split(path.sep)[0]!;

t.test('dependencies point inward', async (t) => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const from = top(file);
      const to = top(target);
      const ok =
        from === to ||
        to === 'src' ||
        (from === 'src' && ASSEMBLY.includes(file)) ||
        (from === 'queries' && to === 'projections');
      if (!ok) wrong.push(`${file} → ${target}`);
    }
  }
  t.same(wrong, [], 'no import goes outward');
});

t.test('no import cycles', async (t) => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  t.same(cycles, []);
});

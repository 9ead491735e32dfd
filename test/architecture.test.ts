import t from 'tap';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the source: every
 * import points inward, only the composition root (src/root) knows the
 * features, recorded event types depend on nothing but each other and ids,
 * and there are no cycles, neither between files nor between folders.
 */
const root = path.resolve(import.meta.dirname, '..');
const FOLDERS = ['src', 'domain', 'commands', 'queries', 'projections', 'web'];

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : /\.tsx?$/.test(rel) ? [rel] : [];
  });
}

/** `./board.js` names board.ts, or board.tsx in the web pages. */
const resolveImport = (target: string) => {
  const ts = target.replace(/\.js$/, '.ts');
  return existsSync(path.join(root, ts)) ? ts : `${ts}x`;
};

const graph = new Map<string, string[]>();
for (const file of FOLDERS.flatMap(files)) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const imports = [...text.matchAll(/(?:^\s*(?:import|export)[^'"]*from\s+|import\()'(\.[^']+)'/gm)].map((m) =>
    resolveImport(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!))),
  );
  graph.set(file, imports);
}

/** What every layer may use: event types, ids, errors and the clock. */
const SHARED = ['events', 'ids', 'errors', 'clock'];

/** The layer a file belongs to, and the layers it may import (the first that holds a file is its layer). */
const LAYERS: readonly { name: string; holds: (f: string) => boolean; mayImport: readonly string[] }[] = [
  { name: 'events', holds: (f) => f.startsWith('src/events/'), mayImport: ['events', 'ids'] },
  { name: 'ids', holds: (f) => f === 'src/ids.ts', mayImport: ['errors'] },
  { name: 'errors', holds: (f) => f === 'src/errors.ts', mayImport: [] },
  { name: 'clock', holds: (f) => f === 'src/clock.ts', mayImport: [] },
  { name: 'root', holds: (f) => f.startsWith('src/root/'), mayImport: ['*'] },
  { name: 'platform', holds: (f) => f.startsWith('src/'), mayImport: ['platform', ...SHARED] },
  { name: 'domain', holds: (f) => f.startsWith('domain/'), mayImport: ['domain', ...SHARED] },
  { name: 'commands', holds: (f) => f.startsWith('commands/'), mayImport: ['commands', 'domain', 'platform', ...SHARED] },
  { name: 'projections', holds: (f) => f.startsWith('projections/'), mayImport: ['projections', 'domain', 'platform', ...SHARED] },
  { name: 'queries', holds: (f) => f.startsWith('queries/'), mayImport: ['queries', 'projections', 'domain', 'platform', ...SHARED] },
  // Pages talk to the service over its public HTTP API only.
  { name: 'web', holds: (f) => f.startsWith('web/'), mayImport: ['web'] },
];
const layerOf = (file: string) => LAYERS.find((l) => l.holds(file))!;

/** A folder-level unit: `commands/bookings`, `src/http`, or a file standing alone (`projections/rooms.ts`). */
const unitOf = (file: string) => file.split('/').slice(0, 2).join('/');

function cyclesIn(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'visiting');
    for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
  return cycles;
}

t.test('dependencies point inward', async (t) => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    for (const target of imports) {
      const to = layerOf(target);
      if (!from.mayImport.includes('*') && !from.mayImport.includes(to.name)) wrong.push(`${file} (${from.name}) → ${target} (${to.name})`);
    }
  }
  t.same(wrong, [], 'no import goes outward');
});

t.test('no import cycles between files', async (t) => {
  t.same(cyclesIn(graph), []);
});

t.test('no import cycles between folders', async (t) => {
  const units = new Map<string, string[]>();
  for (const [file, imports] of graph) {
    const from = unitOf(file);
    const list = units.get(from) ?? [];
    for (const target of imports) if (unitOf(target) !== from && !list.includes(unitOf(target))) list.push(unitOf(target));
    units.set(from, list);
  }
  t.same(cyclesIn(units), []);
});

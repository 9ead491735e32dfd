import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { dockerfileStages, root } from './helpers/container.js';

/**
 * `engines` is the one statement of which Node.js versions the service runs on: it must hold for the
 * runtime this suite runs on (CI runs it on each), and the image, CI's second runtime and the type
 * definitions must stay inside it.
 */
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const engines = pkg.engines.node;

t.test('the running Node.js is one engines allows', async (t) => {
  t.ok(semver.satisfies(process.version, engines), `${process.version} satisfies ${engines}`);
});

t.test('every stage of the image runs a Node.js major that engines allows', async (t) => {
  const stages = dockerfileStages();
  t.ok(stages.length > 0);
  for (const { image } of stages) {
    const major = /^node:(\d+)-/.exec(image)?.[1];
    t.ok(major, `${image} names a Node.js major`);
    t.ok(semver.intersects(`${major}.x`, engines), `${image}: Node ${major} is allowed by ${engines}`);
  }
});

t.test("CI's second runtime is one engines allows", async (t) => {
  const major = /node@(\d+)/.exec(readFileSync(path.join(root, '.ci/run'), 'utf8'))?.[1];
  t.ok(major, '.ci/run installs a node@<major>');
  t.ok(semver.intersects(`${major}.x`, engines), `node@${major} is allowed by ${engines}`);
});

t.test('the Node.js type definitions are those of the oldest runtime allowed', async (t) => {
  // Newer types would let code use an API the oldest supported runtime lacks, and only CI would notice.
  const types = semver.minVersion(pkg.devDependencies['@types/node'] ?? '')?.major;
  t.equal(types, semver.minVersion(engines)?.major, `@types/node ${pkg.devDependencies['@types/node']} for ${engines}`);
});

import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Builds the web pages into `out` (dist/web by default): one bundle per page,
 * with everything it uses inside it, so a venue's LAN needs no internet.
 */
export async function buildWeb(out = path.resolve(import.meta.dirname, '../dist/web')): Promise<string> {
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: {
      staff: path.join(import.meta.dirname, 'staff/main.tsx'),
      guest: path.join(import.meta.dirname, 'guest/main.tsx'),
      manager: path.join(import.meta.dirname, 'manager/main.tsx'),
    },
    outdir: out,
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'safari15', 'firefox100'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  await copyFile(path.join(import.meta.dirname, 'staff/index.html'), path.join(out, 'staff.html'));
  await copyFile(path.join(import.meta.dirname, 'shared/base.css'), path.join(out, 'base.css'));
  await copyFile(path.join(import.meta.dirname, 'staff/staff.css'), path.join(out, 'staff.css'));
  await copyFile(path.join(import.meta.dirname, 'guest/index.html'), path.join(out, 'guest.html'));
  await copyFile(path.join(import.meta.dirname, 'guest/guest.css'), path.join(out, 'guest.css'));
  await copyFile(path.join(import.meta.dirname, 'manager/index.html'), path.join(out, 'manager.html'));
  await copyFile(path.join(import.meta.dirname, 'manager/manager.css'), path.join(out, 'manager.css'));
  return out;
}

if (process.argv[1] === import.meta.filename) await buildWeb();

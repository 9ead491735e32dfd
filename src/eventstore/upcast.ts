import type { Upcaster } from '../events/event.js';

export type Upcast = (type: string, schemaVersion: number, data: unknown) => { schemaVersion: number; data: unknown };

export function createUpcast(upcasters: readonly Upcaster[]): Upcast {
  const steps = new Map<string, Upcaster>();
  for (const u of upcasters) {
    const key = `${u.type}@${u.fromVersion}`;
    if (steps.has(key)) throw new Error(`two upcasters for ${key}`);
    steps.set(key, u);
  }
  return (type, schemaVersion, data) => {
    let version = schemaVersion;
    let current = data;
    for (let step = steps.get(`${type}@${version}`); step; step = steps.get(`${type}@${version}`)) {
      current = step.up(current);
      version += 1;
    }
    return { schemaVersion: version, data: current };
  };
}

export const noUpcast: Upcast = (_type, schemaVersion, data) => ({ schemaVersion, data });

import { randomUUID } from 'node:crypto';
import { ValidationError } from './errors.js';

declare const brand: unique symbol;
export type Id<Kind extends string> = string & { readonly [brand]: Kind };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SLUG = /^[a-z][a-z0-9_]{1,31}$/;

/** A new random id of the given kind. */
export function newId<Kind extends string>(): Id<Kind> {
  return randomUUID() as Id<Kind>;
}

/** The one way to turn outside input into an id: server-made ids are UUIDs, room types are slugs. */
export function parseId<Kind extends string>(kind: Kind, value: string, field = `${kind}Id`): Id<Kind> {
  const ok = kind === 'roomType' ? SLUG.test(value) : UUID.test(value);
  if (!ok) throw new ValidationError([{ field, message: kind === 'roomType' ? 'must be a lowercase slug' : 'must be a UUID' }]);
  return value as Id<Kind>;
}

export const isUuid = (value: string): boolean => UUID.test(value);

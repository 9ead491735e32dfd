/** A domain event as deciders see it: a type and its data. */
export type DomainEvent<Type extends string = string, Data = unknown> = Readonly<{ type: Type; data: Data }>;

/**
 * Stored events never change shape in place: a breaking change gets a new
 * schema version, and old versions are lifted here on read, one step at a time,
 * so every consumer sees only the newest shape.
 */
export type Upcaster = Readonly<{
  type: string;
  fromVersion: number;
  up(data: unknown): unknown;
}>;

import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError, type EventMetadata, type EventStore, type NewEvent } from './port.js';

/** A domain event as deciders see it: a type and its data. */
export type DomainEvent<Type extends string = string, Data = unknown> = Readonly<{ type: Type; data: Data }>;

/**
 * One stream's behaviour: `decide` is pure and synchronous (time comes in with
 * the command), `evolve` folds events into state.
 */
export type Decider<State, Command, Event extends DomainEvent> = Readonly<{
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => readonly Event[];
}>;

export type Handled<State, Event> = Readonly<{ state: State; events: readonly Event[]; version: bigint }>;

const MAX_ATTEMPTS = 5;

/** Folds a stream into a decider's state. */
export async function load<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
): Promise<{ state: State; version: bigint }> {
  const { version, events } = await store.readStream(streamId);
  let state = decider.initialState();
  for (const e of events) state = decider.evolve(state, { type: e.type, data: e.data } as Event);
  return { state, version };
}

/**
 * Loads the stream, decides, and appends with the version it read. When another
 * writer got there first it loads and decides again, a bounded number of times,
 * so the decision is always made on the latest state.
 */
export async function handle<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: EventMetadata,
): Promise<Handled<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const { state, version } = await load(store, streamId, decider);
    const events = decider.decide(command, state);
    if (events.length === 0) return { state, events, version };
    const toAppend: NewEvent[] = events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
    try {
      const result = await store.appendToStream(streamId, toAppend, version === 0n ? 'no_stream' : version);
      return { state: events.reduce(decider.evolve, state), events, version: result.nextExpectedVersion };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

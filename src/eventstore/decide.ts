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

const locks = new WeakMap<EventStore, Map<string, Promise<void>>>();

/**
 * Commands on one stream take turns within this process. Across processes the
 * expected version still decides; within one, a crowd racing for one room-day
 * queues instead of all appending, failing and re-reading.
 */
async function inTurn<T>(store: EventStore, streamId: string, fn: () => Promise<T>): Promise<T> {
  let tails = locks.get(store);
  if (!tails) locks.set(store, (tails = new Map()));
  const previous = tails.get(streamId) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((r) => (release = r)));
  tails.set(streamId, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(streamId) === tail) tails.delete(streamId);
  }
}

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
  /** State the caller already loaded (or `new` for a stream that must not exist yet), to save the first read. */
  known?: { state: State; version: bigint } | 'new',
): Promise<Handled<State, Event>> {
  return inTurn(store, streamId, () => decideAndAppend(store, streamId, decider, command, metadata, known));
}

async function decideAndAppend<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: EventMetadata,
  known: { state: State; version: bigint } | 'new' | undefined,
): Promise<Handled<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const first = attempt === 1 && known !== undefined;
    const { state, version } = first ? (known === 'new' ? { state: decider.initialState(), version: 0n } : known) : await load(store, streamId, decider);
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

import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../events/event.js';
import { schemaVersionOf } from '../events/upcasters.js';
import { WrongExpectedVersionError, type EventMetadata, type EventStore, type NewEvent } from './port.js';

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

type Known<State> = Readonly<{ state: State; version: bigint }>;
type Turns = { tail: Promise<void>; last: Known<unknown> | null };
const queues = new WeakMap<EventStore, Map<string, Turns>>();

/**
 * Commands on one stream take turns within this process, and each hands the
 * state it ended with to the next, so a crowd racing for one room-day decides
 * one after another in memory instead of all appending, failing and re-reading.
 * Across processes the expected version still decides: a state made stale by
 * another process fails its append and is read again.
 */
async function inTurn<T>(
  store: EventStore,
  streamId: string,
  fn: (carried: Known<unknown> | null, remember: (k: Known<unknown>) => void) => Promise<T>,
): Promise<T> {
  let queue = queues.get(store);
  if (!queue) queues.set(store, (queue = new Map<string, Turns>()));
  let turns = queue.get(streamId);
  if (!turns) queue.set(streamId, (turns = { tail: Promise.resolve(), last: null }));
  const previous = turns.tail;
  let release!: () => void;
  const mine = previous.then(() => new Promise<void>((r) => (release = r)));
  turns.tail = mine;
  await previous;
  const t = turns;
  try {
    return await fn(t.last, (k) => (t.last = k));
  } finally {
    release();
    if (t.tail === mine) queue.delete(streamId);
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
 * Decides without appending, so a command that spans streams can be refused
 * before its first step writes anything: on the state this process last saw
 * the stream in or, failing that, as read now (and then remembered). A refusal
 * on a remembered state is checked against the stream before it is thrown. A
 * pass proves nothing: the command still decides and appends on its own.
 */
export async function precheck<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
): Promise<void> {
  const states = lastStatesOf(store, decider);
  const seen = states.get(streamId) as Known<State> | undefined;
  if (seen) {
    try {
      decider.decide(command, seen.state);
      return;
    } catch {
      // Perhaps stale: read the stream below.
    }
  }
  const fresh = await load(store, streamId, decider);
  keep(states, streamId, fresh);
  decider.decide(command, fresh.state);
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
  known?: Known<State> | 'new',
): Promise<Handled<State, Event>> {
  return inTurn(store, streamId, (carried, remember) =>
    decideAndAppend(store, streamId, decider, command, metadata, known ?? (carried as Known<State> | null) ?? undefined, remember),
  );
}

/** How many streams' last states a process keeps per store and decider (the oldest are dropped first). */
const LAST_STATES = 10_000;
const lastStates = new WeakMap<EventStore, WeakMap<object, Map<string, Known<unknown>>>>();

function lastStatesOf(store: EventStore, decider: object): Map<string, Known<unknown>> {
  let byDecider = lastStates.get(store);
  if (!byDecider) lastStates.set(store, (byDecider = new WeakMap<object, Map<string, Known<unknown>>>()));
  let states = byDecider.get(decider);
  if (!states) byDecider.set(decider, (states = new Map<string, Known<unknown>>()));
  return states;
}

/**
 * The state this process last saw a stream in, or, failing that, as read now (and then
 * remembered). It may be stale: use it only with its version as a condition of an append
 * (`handleAll`), which proves it, and read again (`fresh`) before a refusal made on it counts.
 */
export async function recall<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, never, Event>,
  { fresh }: { fresh: boolean },
): Promise<Known<State>> {
  const states = lastStatesOf(store, decider);
  const seen = fresh ? undefined : (states.get(streamId) as Known<State> | undefined);
  if (seen) return seen;
  const read = await load(store, streamId, decider);
  keep(states, streamId, read);
  return read;
}

function keep(states: Map<string, Known<unknown>>, streamId: string, k: Known<unknown>): void {
  states.delete(streamId);
  states.set(streamId, k);
  if (states.size > LAST_STATES) states.delete(states.keys().next().value as string);
}

/**
 * The first attempt decides on the best state at hand: the caller's, the one
 * the previous turn on this stream ended with, or the one this process last
 * saw the stream in. That last guess may be stale (another process appended
 * since), so only an append at its version proves it: a guess that decides
 * nothing or refuses is read again before the answer counts.
 */
async function decideAndAppend<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: EventMetadata,
  known: Known<State> | 'new' | undefined,
  remember: (k: Known<State>) => void,
): Promise<Handled<State, Event>> {
  const states = lastStatesOf(store, decider);
  const seen = known === undefined ? (states.get(streamId) as Known<State> | undefined) : undefined;
  const note = (k: Known<State>) => {
    remember(k);
    keep(states, streamId, k);
  };
  for (let attempt = 1; ; attempt++) {
    const guess = attempt === 1 ? (known === 'new' ? { state: decider.initialState(), version: 0n } : (known ?? seen)) : undefined;
    const { state, version } = guess ?? (await load(store, streamId, decider));
    note({ state, version });
    const unproven = guess !== undefined && guess === seen;
    let events: readonly Event[];
    try {
      events = decider.decide(command, state);
    } catch (err) {
      if (unproven) continue;
      throw err;
    }
    if (events.length === 0) {
      if (unproven) continue;
      return { state, events, version };
    }
    const toAppend: NewEvent[] = events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      schemaVersion: schemaVersionOf(e.type),
      data: e.data,
      metadata,
    }));
    try {
      const result = await store.appendToStream(streamId, toAppend, version === 0n ? 'no_stream' : version);
      const after = { state: events.reduce(decider.evolve, state), version: result.nextExpectedVersion };
      note(after);
      return { ...after, events };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw err;
      // A stale guess is not contention: read again at once.
      if (!unproven) await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/** One stream's part of `handleAll`: a decider and its command, erased so steps of different streams fit one list. */
export type Step = Readonly<{
  streamId: string;
  decider: Decider<unknown, unknown, DomainEvent>;
  command: unknown;
  /** The stream must not exist yet: decide on the initial state without reading it. */
  isNew: boolean;
}>;

export function step<State, Command, Event extends DomainEvent>(
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  known?: 'new',
): Step {
  return { streamId, decider: decider as unknown as Step['decider'], command, isNew: known === 'new' };
}

/**
 * Decides on several streams and appends everything in one atomic multi-stream append, so a
 * command that spans streams commits once or not at all: any refusal writes nothing, and a version
 * conflict on any stream decides them all again (a bounded number of times). Only for stores whose
 * `atomicMultiStream` is true; the caller keeps a step-by-step process for the others. It takes its
 * turn on every stream in one global order, so two such commands never wait on each other.
 */
export type Condition = Readonly<{ streamId: string; version: bigint }>;

/**
 * `conditions` are streams the command was decided on without writing to them (say, a room's
 * service status): the append lands only if each is still at its version. A condition that moved
 * on is the caller's to decide again, so its conflict is thrown at once.
 */
export async function handleAll(
  store: EventStore,
  steps: readonly Step[],
  metadata: EventMetadata,
  conditions: readonly Condition[] = [],
): Promise<void> {
  if (!store.atomicMultiStream) throw new Error('handleAll needs an event store with atomic multi-stream appends');
  const turns = new Map<string, { carried: Known<unknown> | null; remember: (k: Known<unknown>) => void }>();
  const ordered = steps.map((s) => s.streamId).sort();
  const enter = (i: number): Promise<void> => {
    const id = ordered[i];
    if (id === undefined) return decideAllAndAppend(store, steps, metadata, turns, conditions);
    return inTurn(store, id, (carried, remember) => {
      turns.set(id, { carried, remember });
      return enter(i + 1);
    });
  };
  await enter(0);
}

async function decideAllAndAppend(
  store: EventStore,
  steps: readonly Step[],
  metadata: EventMetadata,
  turns: ReadonlyMap<string, { carried: Known<unknown> | null; remember: (k: Known<unknown>) => void }>,
  conditions: readonly Condition[],
): Promise<void> {
  const note = (s: Step, k: Known<unknown>) => {
    turns.get(s.streamId)?.remember(k);
    keep(lastStatesOf(store, s.decider), s.streamId, k);
  };
  for (let attempt = 1; ; attempt++) {
    const decided: { step: Step; known: Known<unknown>; events: readonly DomainEvent[] }[] = [];
    for (const s of steps) {
      const seen = lastStatesOf(store, s.decider).get(s.streamId);
      const guess =
        attempt > 1 ? undefined : s.isNew ? { state: s.decider.initialState(), version: 0n } : (turns.get(s.streamId)?.carried ?? seen);
      let known = guess ?? (await load(store, s.streamId, s.decider));
      let events: readonly DomainEvent[] | undefined;
      try {
        events = s.decider.decide(s.command, known.state);
      } catch (err) {
        // A refusal on a remembered state may be stale: only a fresh read answers it.
        if (guess === undefined || guess !== seen) throw err;
      }
      if (events === undefined || (events.length === 0 && guess !== undefined && guess === seen)) {
        known = await load(store, s.streamId, s.decider);
        events = s.decider.decide(s.command, known.state);
      }
      decided.push({ step: s, known, events });
    }
    const writing = decided.filter((d) => d.events.length > 0);
    if (writing.length === 0) return;
    try {
      const results = await store.appendToStreams([
        ...writing.map((d) => ({
          streamId: d.step.streamId,
          events: d.events.map((e) => ({
            id: randomUUID(),
            type: e.type,
            schemaVersion: schemaVersionOf(e.type),
            data: e.data,
            metadata,
          })),
          expected: d.known.version === 0n ? ('no_stream' as const) : d.known.version,
        })),
        ...conditions.map((c) => ({ streamId: c.streamId, events: [], expected: c.version })),
      ]);
      writing.forEach((d, i) =>
        note(d.step, {
          state: d.events.reduce(d.step.decider.evolve, d.known.state),
          version: results[i]?.nextExpectedVersion ?? d.known.version,
        }),
      );
      return;
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw err;
      if (conditions.some((c) => c.streamId === err.streamId)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

import type { Test } from 'tap';
import { AppError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { DomainEvent } from '../../src/events/event.js';

/** What a refusal is checked against besides its code: its class, its HTTP status, part of its detail. */
export type Refusal = Readonly<{
  is?: abstract new (...args: never[]) => AppError;
  status?: number;
  detail?: Readonly<Record<string, unknown>>;
}>;

export type Then<Event> = Readonly<{
  /** The command records exactly these events, in this order. */
  then: (expected: readonly Event[], message?: string) => void;
  /** The command is refused with an `AppError` carrying this `code` (and, when given, this class, status and detail). */
  thenThrows: (code: string, refusal?: Refusal, message?: string) => void;
  /** The command changes nothing: an idempotent retry or a no-op. */
  thenNothing: (message?: string) => void;
}>;

export type Given<Command, Event> = Readonly<{ when: (command: Command) => Then<Event> }>;

/**
 * Given/when/then over a decider's pure functions, after Emmett's
 * `DeciderSpecification`: the given events are folded with `evolve`, the
 * command is decided on the result, and the outcome is asserted through tap so
 * a mismatch is reported with a diff.
 *
 *   const spec = DeciderSpecification.for(bookingDecider);
 *   spec(t).given([held]).when(confirm).then([confirmed]);
 */
export const DeciderSpecification = {
  for<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
    return (t: Test) => ({
      given: (events: readonly Event[]): Given<Command, Event> => ({
        when: (command: Command): Then<Event> => {
          const run = (): { events: readonly Event[] } | { error: unknown } => {
            try {
              return { events: decider.decide(command, events.reduce(decider.evolve, decider.initialState())) };
            } catch (error) {
              return { error };
            }
          };
          const decided = (outcome: { events: readonly Event[] } | { error: unknown }, message: string): readonly Event[] | null => {
            if ('events' in outcome) return outcome.events;
            t.fail(`${message}: the command was refused`, { found: outcome.error });
            return null;
          };
          return {
            then: (expected, message = 'records the expected events') => {
              const found = decided(run(), message);
              if (found) t.strictSame(found, expected, message);
            },
            thenNothing: (message = 'records nothing') => {
              const found = decided(run(), message);
              if (found) t.strictSame(found, [], message);
            },
            thenThrows: (code, refusal = {}, message = `is refused with ${code}`) => {
              const outcome = run();
              if (!('error' in outcome)) {
                t.fail(`${message}: the command was accepted`, { found: outcome.events });
                return;
              }
              const error = outcome.error;
              if (!(error instanceof AppError)) {
                t.fail(`${message}: not a domain error`, { found: error });
                return;
              }
              t.equal(error.code, code, message);
              if (refusal.is) t.type(error, refusal.is, `${message}: a ${refusal.is.name}`);
              if (refusal.status !== undefined) t.equal(error.status, refusal.status, `${message}: status ${refusal.status}`);
              if (refusal.detail) t.match(error.detail, refusal.detail, `${message}: detail`);
            },
          };
        },
      }),
    });
  },
};

import type { DomainEvent } from './event.js';

/** An arm of an experiment: its name and its share of the buckets, relative to the other arms' weights. */
export type ExperimentArm = Readonly<{ name: string; weight: number }>;

/** What an experiment varies; the recommender reads the arm of the running `recommendations` experiment as its strategy. */
export type ExperimentSubject = 'recommendations' | 'dynamic_pricing' | 'other';

/** Events of `experiment-<id>` streams. */
export type ExperimentEvent =
  | DomainEvent<
      'ExperimentStarted',
      Readonly<{ experimentId: string; name: string; subject: ExperimentSubject; arms: readonly ExperimentArm[]; by: string; at: string }>
    >
  | DomainEvent<'ExperimentStopped', Readonly<{ experimentId: string; by: string; at: string }>>;

export const experimentStream = (id: string) => `experiment-${id}`;

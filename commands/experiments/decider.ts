import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { ExperimentArm, ExperimentEvent, ExperimentSubject } from '../../src/events/experiments.js';
import { OFF_ARM } from '../../domain/pricing/dynamic.js';

export type ExperimentState =
  | { status: 'none' }
  | { status: 'running' | 'stopped'; id: string; name: string; subject: ExperimentSubject; arms: readonly ExperimentArm[] };

export type ExperimentCommand =
  | Readonly<{
      type: 'StartExperiment';
      experimentId: string;
      name: string;
      subject: ExperimentSubject;
      arms: readonly ExperimentArm[];
      by: string;
      now: Date;
    }>
  | Readonly<{ type: 'StopExperiment'; experimentId: string; by: string; now: Date }>;

function checkArms(subject: ExperimentSubject, arms: readonly ExperimentArm[]): void {
  const names = new Set<string>();
  arms.forEach((arm, i) => {
    if (names.has(arm.name)) throw new ValidationError([{ field: `arms/${i}/name`, message: 'arm names must be unique' }]);
    names.add(arm.name);
  });
  // Dynamic pricing reads one arm by name: without it every arm would price alike and the experiment compare nothing.
  if (subject === 'dynamic_pricing' && (!names.has(OFF_ARM) || names.size < 2))
    throw new ValidationError([{ field: 'arms', message: `an experiment on dynamic pricing needs an arm named "${OFF_ARM}" and another` }]);
}

/** An experiment's life: started with its arms (which never change, so assignment stays stable), then stopped. */
export const experimentDecider: Decider<ExperimentState, ExperimentCommand, ExperimentEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'ExperimentStarted': {
        const { experimentId, name, subject, arms } = event.data;
        return { status: 'running', id: experimentId, name, subject, arms };
      }
      case 'ExperimentStopped':
        return state.status === 'none' ? state : { ...state, status: 'stopped' };
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'StartExperiment': {
        if (state.status !== 'none') throw new ConflictError('experiment_exists', `Experiment ${command.experimentId} already exists.`);
        checkArms(command.subject, command.arms);
        const { experimentId, name, subject, arms, by, now } = command;
        return [{ type: 'ExperimentStarted', data: { experimentId, name, subject, arms, by, at: now.toISOString() } }];
      }
      case 'StopExperiment':
        if (state.status === 'stopped') return [];
        if (state.status === 'none') throw new NotFoundError('experiment', command.experimentId);
        return [{ type: 'ExperimentStopped', data: { experimentId: command.experimentId, by: command.by, at: command.now.toISOString() } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};

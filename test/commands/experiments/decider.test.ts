import t from 'tap';
import { DeciderSpecification } from '../../helpers/decider-spec.js';
import { experimentDecider } from '../../../commands/experiments/decider.js';
import type { ExperimentEvent } from '../../../src/events/experiments.js';

const spec = DeciderSpecification.for(experimentDecider);
const now = new Date('2026-12-01T10:00:00.000Z');
const arms = [
  { name: 'control', weight: 1 },
  { name: 'cf', weight: 1 },
];
const start = { type: 'StartExperiment', experimentId: 'e1', name: 'Recs', subject: 'recommendations', arms, by: 'm1', now } as const;
const started: ExperimentEvent = {
  type: 'ExperimentStarted',
  data: { experimentId: 'e1', name: 'Recs', subject: 'recommendations', arms, by: 'm1', at: now.toISOString() },
};

t.test('given nothing, when started, then ExperimentStarted with its arms', async (t) => {
  spec(t).given([]).when(start).then([started]);
});

t.test('arm names must be unique', async (t) => {
  spec(t)
    .given([])
    .when({ ...start, arms: [arms[0]!, { name: 'control', weight: 2 }] })
    .thenThrows('validation_failed', { status: 422 });
});

t.test('an experiment on dynamic pricing needs an `off` arm (the one that keeps the card’s prices) and another', async (t) => {
  const pricing = { ...start, subject: 'dynamic_pricing' } as const;
  spec(t).given([]).when(pricing).thenThrows('validation_failed', { status: 422 });
  spec(t)
    .given([])
    .when({ ...pricing, arms: [{ name: 'off', weight: 1 }] })
    .thenThrows('validation_failed', { status: 422 });
  const onOff = [
    { name: 'on', weight: 1 },
    { name: 'off', weight: 1 },
  ];
  spec(t)
    .given([])
    .when({ ...pricing, arms: onOff })
    .then([{ type: 'ExperimentStarted', data: { ...started.data, subject: 'dynamic_pricing', arms: onOff } }]);
});

t.test('an experiment is started once', async (t) => {
  spec(t).given([started]).when(start).thenThrows('experiment_exists', { status: 409 });
});

t.test('stop: recorded once, a second stop changes nothing, an unknown one is not found', async (t) => {
  const stop = { type: 'StopExperiment', experimentId: 'e1', by: 'm1', now } as const;
  const stopped: ExperimentEvent = { type: 'ExperimentStopped', data: { experimentId: 'e1', by: 'm1', at: now.toISOString() } };
  spec(t).given([started]).when(stop).then([stopped]);
  spec(t).given([started, stopped]).when(stop).thenNothing();
  spec(t).given([]).when(stop).thenThrows('not_found', { status: 404 });
});

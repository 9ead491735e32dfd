import t from 'tap';
import { experimentsProjection, type ExperimentsDatabase } from '../../projections/experiments.js';
import type { ExperimentEvent } from '../../src/events/experiments.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/** Every experiment with its arms and whether it runs (`rm.experiments`). */
const spec = ProjectionSpecification.for<ExperimentsDatabase>(t, experimentsProjection);

const startedAt = '2026-03-09T02:00:00.000Z';
const stoppedAt = '2026-03-13T09:30:00.000Z';
const arms = [
  { name: 'popular', weight: 1 },
  { name: 'cf', weight: 3 },
];
const started: ExperimentEvent = {
  type: 'ExperimentStarted',
  data: { experimentId: 'exp-1', name: 'Recs', subject: 'recommendations', arms, by: 'user-manager', at: startedAt },
};
const stopped: ExperimentEvent = { type: 'ExperimentStopped', data: { experimentId: 'exp-1', by: 'user-manager', at: stoppedAt } };

t.test('ExperimentStarted adds a running experiment with its arms', async (t) => {
  await spec(t)
    .given([started])
    .expectRows('experiments', [
      { id: 'exp-1', name: 'Recs', subject: 'recommendations', arms, status: 'running', started_at: new Date(startedAt), stopped_at: null },
    ]);
});

t.test('ExperimentStopped marks it stopped at the event time; delivered again, nothing changes', async (t) => {
  await spec(t)
    .given([started])
    .when([stopped])
    .redelivered()
    .expectRows('experiments', [{ id: 'exp-1', status: 'stopped', stopped_at: new Date(stoppedAt) }]);
});

t.test('ExperimentStarted delivered again keeps one row', async (t) => {
  await spec(t)
    .given([started])
    .redelivered()
    .expectRows('experiments', [{ id: 'exp-1', status: 'running' }]);
});

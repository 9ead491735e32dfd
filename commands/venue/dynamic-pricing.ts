import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load, type Decider } from '../../src/eventstore/decide.js';
import { DYNAMIC_PRICING_STREAM, demandStream, type DemandEvent, type DynamicPricingEvent } from '../../src/events/pricing.js';
import { experimentStream } from '../../src/events/experiments.js';
import { UnprocessableError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import { forget, memo } from '../../src/infra/memo.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';
import type { DemandSnapshot } from '../../domain/pricing/dynamic.js';
import { OFF_ARM } from '../../domain/pricing/dynamic.js';
import { experimentDecider, type ExperimentState } from '../experiments/decider.js';

/** The kill switch and the experiment on dynamic pricing; no event yet: on, no experiment. */
export type DynamicSwitch = Readonly<{ enabled: boolean; experimentId: string | null }>;

type SetSwitch = Readonly<{ type: 'Set'; enabled: boolean; experimentId: string | null; by: string; now: Date }>;

export const dynamicSwitchDecider: Decider<DynamicSwitch, SetSwitch, DynamicPricingEvent> = {
  initialState: () => ({ enabled: true, experimentId: null }),
  evolve: (_state, e) => ({ enabled: e.data.enabled, experimentId: e.data.experimentId }),
  decide: (c, state) =>
    state.enabled === c.enabled && state.experimentId === c.experimentId
      ? []
      : [{ type: 'DynamicPricingSet', data: { enabled: c.enabled, experimentId: c.experimentId, by: c.by, at: c.now.toISOString() } }],
};

/** How stale the switch, a forecast snapshot or an experiment may be in a hold on another instance. */
const FRESH_MS = 1000;

export function currentDynamicSwitch(store: EventStore): Promise<DynamicSwitch> {
  return memo(store, DYNAMIC_PRICING_STREAM, FRESH_MS, async () => (await load(store, DYNAMIC_PRICING_STREAM, dynamicSwitchDecider)).state);
}

/** The newest forecast recorded for a business date, or null when none was. */
export function currentDemand(store: EventStore, businessDate: string): Promise<DemandSnapshot | null> {
  const stream = demandStream(businessDate);
  return memo(store, stream, FRESH_MS, async () => {
    const last = (await store.readStream(stream)).events.at(-1) as unknown as DemandEvent | undefined;
    return last ? { modelVersion: last.data.modelVersion, heat: last.data.heat, at: last.data.at } : null;
  });
}

export function experimentOf(store: EventStore, id: string): Promise<ExperimentState> {
  const stream = experimentStream(id);
  return memo(store, stream, FRESH_MS, async () => (await load(store, stream, experimentDecider)).state);
}

const SwitchBody = Type.Object(
  {
    enabled: Type.Boolean({ description: 'false is the kill switch: every hold gets the rate card’s own price at once' }),
    experimentId: Type.Optional(
      Type.String({
        maxLength: 64,
        description: `A running experiment with subject \`dynamic_pricing\`: guests in its \`${OFF_ARM}\` arm get the card's own price`,
      }),
    ),
  },
  { additionalProperties: false },
);

/** Managers turn dynamic pricing off (and on again), and name the experiment that splits it. */
export const dynamicPricingCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (
  app,
  { store, clock },
) => {
  app.put(
    '/pricing/dynamic',
    {
      config: { permission: 'price:write' },
      schema: {
        tags: ['pricing'],
        summary: "Dynamic pricing's kill switch and its experiment; the rule itself is the rate card's `dynamic`",
        body: SwitchBody,
        response: replies({ 200: Type.Object({ enabled: Type.Boolean(), experimentId: Type.Union([Type.String(), Type.Null()]) }) }),
      },
    },
    async (request) => {
      const { enabled, experimentId = null } = request.body;
      if (experimentId !== null) {
        const found = isUuid(experimentId) ? await experimentOf(store, experimentId) : null;
        if (found?.status !== 'running' || found.subject !== 'dynamic_pricing')
          throw new UnprocessableError('not_a_pricing_experiment', 'No running experiment with subject dynamic_pricing has that id.', {
            field: 'experimentId',
          });
      }
      const { state } = await handle(
        store,
        DYNAMIC_PRICING_STREAM,
        dynamicSwitchDecider,
        { type: 'Set', enabled, experimentId, by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      forget(store, DYNAMIC_PRICING_STREAM);
      return state;
    },
  );
};

import t from 'tap';
import { EventStoreDBEventStore } from '../../../src/eventstore/eventstoredb.js';
import { createUpcast } from '../../../src/eventstore/upcast.js';
import { eventStoreContract } from './contract.js';

// Runs against a server of your own, e.g. EVENTSTORE_URL='esdb://127.0.0.1:2113?tls=false'.
// The suite's streams are all new, so a shared server does too.
const url = process.env.EVENTSTORE_URL;

if (!url) {
  t.plan(0, 'EVENTSTORE_URL not set: no EventStoreDB server here');
} else {
  t.test('EventStoreDB adapter passes the event store contract', async (t) => {
    eventStoreContract(t, async (t, upcasters) => {
      const store = await EventStoreDBEventStore.connect(url, createUpcast(upcasters));
      t.teardown(() => store.close());
      return store;
    });
  });
}

import { api } from '../shared/api.js';
import type { StreamStatus } from '../shared/events.js';

export type Notice = {
  event: 'booking-request' | 'waitlist';
  data: { id: string; status: string; bookingId?: string; problem?: { detail?: string; code?: string } };
};

/**
 * The guest's own stream (GET /me/events) through EventSource, opened with a
 * short-lived ticket since EventSource cannot send the Authorization header.
 * On any error it closes and opens again with a fresh ticket; `onOpen` lets the
 * page read what it waits on, since nothing missed while away is replayed.
 */
export function guestStream(onNotice: (n: Notice) => void, onOpen: () => void, onStatus: (s: StreamStatus) => void): () => void {
  let source: EventSource | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = async () => {
    onStatus('connecting');
    try {
      const { ticket } = await api<{ ticket: string }>('POST', '/me/event-tickets');
      if (stopped) return;
      source = new EventSource(`/me/events?ticket=${encodeURIComponent(ticket)}`);
    } catch {
      onStatus('offline');
      retry = setTimeout(() => void open(), 2000);
      return;
    }
    source.onopen = () => {
      onStatus('live');
      onOpen();
    };
    for (const event of ['booking-request', 'waitlist'] as const)
      source.addEventListener(event, (e) => onNotice({ event, data: JSON.parse((e as MessageEvent<string>).data) as Notice['data'] }));
    source.onerror = () => {
      source?.close();
      if (stopped) return;
      onStatus('offline');
      retry = setTimeout(() => void open(), 1000);
    };
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}

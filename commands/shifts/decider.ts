import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import { expectedCash } from '../../domain/shifts/cash.js';
import { DESK_METHODS, type ByMethod, type DeskMethod, type DeskMovementKind, type TillEvent } from '../../src/events/shifts.js';

type OpenShift = Readonly<{ shiftId: string; openingCash: number; byMethod: ByMethod; refunds: ByMethod }>;
export type ClosedShift = Extract<TillEvent, { type: 'ShiftClosed' }>['data'];

export type Till = Readonly<{
  shifts: number;
  open: OpenShift | null;
  closed: ReadonlyMap<string, ClosedShift>;
  recorded: ReadonlySet<string>;
}>;

export type TillCommand =
  | Readonly<{ type: 'Open'; staffId: string; openingCash: number; takenOverFrom: string | null; now: Date }>
  | Readonly<{
      type: 'Record';
      staffId: string;
      movementId: string;
      kind: DeskMovementKind;
      method: DeskMethod;
      amount: number;
      bookingId: string | null;
      memberId: string | null;
      now: Date;
    }>
  | Readonly<{ type: 'Close'; shiftId: string; countedCash: number; reason: string | null; handedOverCash: number; now: Date }>;

const zero = (): ByMethod => Object.fromEntries(DESK_METHODS.map((m) => [m, 0])) as ByMethod;
const plus = (m: ByMethod, method: DeskMethod, amount: number): ByMethod => ({ ...m, [method]: m[method] + amount });

/** A shift id names its till: `<staffId>.<n>`, the n-th shift of that staff member. */
export const shiftIdOf = (staffId: string, n: number) => `${staffId}.${n}`;
export const staffOfShift = (shiftId: string): string | null => {
  const dot = shiftId.lastIndexOf('.');
  return dot > 0 && /^\d+$/.test(shiftId.slice(dot + 1)) ? shiftId.slice(0, dot) : null;
};

export const tillDecider: Decider<Till, TillCommand, TillEvent> = {
  initialState: () => ({ shifts: 0, open: null, closed: new Map(), recorded: new Set() }),
  evolve: (t, e) => {
    switch (e.type) {
      case 'ShiftOpened':
        return {
          ...t,
          shifts: t.shifts + 1,
          open: { shiftId: e.data.shiftId, openingCash: e.data.openingCash, byMethod: zero(), refunds: zero() },
        };
      case 'DeskMoneyRecorded': {
        const d = e.data;
        const recorded = new Set(t.recorded).add(d.movementId);
        if (!t.open || d.shiftId !== t.open.shiftId) return { ...t, recorded };
        const open =
          d.kind === 'refund'
            ? { ...t.open, refunds: plus(t.open.refunds, d.method, d.amount) }
            : { ...t.open, byMethod: plus(t.open.byMethod, d.method, d.amount) };
        return { ...t, open, recorded };
      }
      case 'ShiftClosed':
        return { ...t, open: null, closed: new Map(t.closed).set(e.data.shiftId, e.data) };
      default: {
        const never: never = e;
        throw new Error(`unknown till event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, t) => {
    const at = c.now.toISOString();
    switch (c.type) {
      case 'Open':
        if (t.open)
          throw new ConflictError('shift_open', 'This staff member already has a shift open; close it first.', { shiftId: t.open.shiftId });
        return [
          {
            type: 'ShiftOpened',
            data: {
              shiftId: shiftIdOf(c.staffId, t.shifts + 1),
              staffId: c.staffId,
              openingCash: c.openingCash,
              takenOverFrom: c.takenOverFrom,
              at,
            },
          },
        ];
      case 'Record': {
        if (t.recorded.has(c.movementId)) return [];
        const { type: _t, now: _n, ...data } = c;
        return [{ type: 'DeskMoneyRecorded', data: { ...data, shiftId: t.open?.shiftId ?? null, at } }];
      }
      case 'Close': {
        // Closed already (a retried close): nothing more, the first close stands.
        if (t.closed.has(c.shiftId)) return [];
        const s = t.open;
        if (!s || s.shiftId !== c.shiftId) throw new NotFoundError('shift', c.shiftId);
        const expected = expectedCash(s.openingCash, s.byMethod, s.refunds);
        const difference = c.countedCash - expected;
        if (difference !== 0 && !c.reason)
          throw new UnprocessableError('reason_required', `The drawer is ${difference} fen off; say why.`, { field: 'reason', difference });
        if (c.handedOverCash > c.countedCash)
          throw new UnprocessableError('handover_exceeds_count', 'More cash cannot be handed over than was counted.', {
            field: 'handedOverCash',
          });
        const staffId = staffOfShift(c.shiftId) ?? '';
        return [
          {
            type: 'ShiftClosed',
            data: {
              shiftId: s.shiftId,
              staffId,
              openingCash: s.openingCash,
              byMethod: s.byMethod,
              refunds: s.refunds,
              expectedCash: expected,
              countedCash: c.countedCash,
              difference,
              reason: difference === 0 ? null : c.reason,
              handedOverCash: c.handedOverCash,
              at,
            },
          },
        ];
      }
      default: {
        const never: never = c;
        throw new Error(`unknown till command ${JSON.stringify(never)}`);
      }
    }
  },
};

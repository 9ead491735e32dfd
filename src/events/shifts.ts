import type { DomainEvent } from './event.js';

/** The ways money moves at the desk. */
export type DeskMethod = 'cash' | 'card' | 'wechatpay' | 'stored_value';
export const DESK_METHODS: readonly DeskMethod[] = ['cash', 'card', 'wechatpay', 'stored_value'];

/** Money in (a payment or a stored-value top-up) or out (a refund paid at the desk). */
export type DeskMovementKind = 'payment' | 'top_up' | 'refund';

export type ByMethod = Readonly<Record<DeskMethod, number>>;

/**
 * Events of `till-<staffId>` streams: one staff member's shifts (交班) and every movement of
 * money they handled at the desk. A movement made with no shift open is recorded with
 * `shiftId: null`, so nothing taken at the desk goes unrecorded.
 */
export type TillEvent =
  | DomainEvent<
      'ShiftOpened',
      Readonly<{ shiftId: string; staffId: string; openingCash: number; takenOverFrom: string | null; at: string }>
    >
  | DomainEvent<
      'DeskMoneyRecorded',
      Readonly<{
        staffId: string;
        shiftId: string | null;
        /** The payment, refund or top-up id: a movement is recorded once. */
        movementId: string;
        kind: DeskMovementKind;
        method: DeskMethod;
        amount: number;
        bookingId: string | null;
        memberId: string | null;
        at: string;
      }>
    >
  | DomainEvent<
      'ShiftClosed',
      Readonly<{
        shiftId: string;
        staffId: string;
        openingCash: number;
        /** Money taken (payments and top-ups), the float excluded. */
        byMethod: ByMethod;
        /** Money paid back at the desk. */
        refunds: ByMethod;
        expectedCash: number;
        countedCash: number;
        difference: number;
        reason: string | null;
        /** Cash left in the drawer for the next shift (the rest is banked). */
        handedOverCash: number;
        at: string;
      }>
    >;

export const tillStream = (staffId: string) => `till-${staffId}`;

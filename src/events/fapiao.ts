import type { DomainEvent } from './event.js';

/** 个人 (a person: a name only) or 单位 (a company: its name and taxpayer id). */
export type FapiaoBuyerKind = 'personal' | 'company';

/**
 * Events of `fapiao-<bookingId>` streams: a guest's (or the desk's, for a party) request for a
 * fapiao of a checked-out bill, for the accountant's invoicing tool. One request per bill.
 */
export type FapiaoEvent = DomainEvent<
  'FapiaoRequested',
  Readonly<{
    bookingId: string;
    buyerKind: FapiaoBuyerKind;
    buyerName: string;
    /** The buyer's unified social credit code; null for a person. */
    taxId: string | null;
    /** Where the issued e-fapiao goes, when given. */
    email: string | null;
    /** The bill's total and VAT as check-out decided them, in fen. */
    amount: number;
    tax: number;
    taxRatePercent: number;
    requestedBy: string;
    at: string;
  }>
>;

export const fapiaoStream = (bookingId: string) => `fapiao-${bookingId}`;

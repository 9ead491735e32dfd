import type { PaymentMethod } from '../../src/events/payments.js';

/** The chart of accounts the ledger posts to (documented in the README). */
export const ACCOUNTS = {
  cash: { code: '1001', name: 'Cash on hand' },
  card: { code: '1003', name: 'Card clearing' },
  wechatpay: { code: '1012', name: 'WeChat Pay clearing' },
  sandbox: { code: '1019', name: 'Sandbox payments clearing' },
  // Stored value paying a booking: the wallet's side and the payment's side meet here and net to zero.
  stored_value: { code: '1020', name: 'Stored value applied (clearing)' },
  receivable: { code: '1122', name: 'Accounts receivable (guests)' },
  deposits: { code: '2203', name: 'Customer deposits received' },
  outputVat: { code: '2221', name: 'Output VAT payable' },
  storedValuePaid: { code: '2241', name: 'Member stored value: paid value' },
  storedValueBonus: { code: '2242', name: 'Member stored value: bonus value' },
  // Not 6xxx: revenue reports add up 6xxx as what guests were billed, and the bonus is a cost of selling stored value.
  bonusCost: { code: '5601', name: 'Member bonus granted (promotion cost)' },
  roomRevenue: { code: '6001', name: 'Room revenue' },
  productRevenue: { code: '6002', name: 'Food and beverage revenue' },
  adjustments: { code: '6003', name: 'Discounts and comps (contra-revenue)' },
  refundsAfterCheckOut: { code: '6004', name: 'Refunds after check-out (contra-revenue)' },
  forfeits: { code: '6051', name: 'Forfeited deposits (no-shows, late cancellations)' },
} as const;

export type AccountCode = (typeof ACCOUNTS)[keyof typeof ACCOUNTS]['code'];

export const clearingAccount = (method: PaymentMethod): AccountCode => ACCOUNTS[method].code;

export const accountName = (code: string): string => Object.values(ACCOUNTS).find((a) => a.code === code)?.name ?? code;

/** Income accounts: what revenue reports add up. */
export const isRevenue = (code: string) => code.startsWith('6');

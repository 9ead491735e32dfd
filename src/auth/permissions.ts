/**
 * Roles and what they may do: the one table every route's `permission` is
 * checked against. `public` routes need no token; `authenticated` ones need any
 * signed-in user.
 */
export const ROLES = ['guest', 'waiter', 'manager', 'accountant', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'profile:self',
  'booking:own',
  'booking:read',
  'booking:write',
  'booking:check_in',
  'payment:read',
  'room:service',
  'room:write',
  'price:write',
  'product:write',
  'order:void',
  'bill:adjust',
  /** Make a correction within the waiters' limit, or ask a manager for one beyond it. */
  'bill:request_adjustment',
  'report:read',
  'ledger:read',
  'ledger:post',
  'ledger:close',
  'ledger:reopen',
  'user:read',
  'membership:write',
  'user:assign_role',
  'user:assign_waiter',
  'account:manage',
  'audit:read',
  'audit:desk',
  'recommendation:read',
  'analytics:write',
  'forecast:read',
  'experiment:write',
  'webhook:manage',
  'shift:open',
  'shift:manage',
  'member:top_up',
  'member:balance_read',
  'bonus_rule:write',
  'day_close:read',
  'refund:approve',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type RouteAccess = Permission | 'public' | 'authenticated';

const guest: Permission[] = ['profile:self', 'booking:own', 'recommendation:read', 'analytics:write'];
const waiter: Permission[] = [
  ...guest,
  'booking:read',
  'booking:write',
  'booking:check_in',
  'room:service',
  'shift:open',
  'member:top_up',
  'member:balance_read',
  'bill:request_adjustment',
];
const manager: Permission[] = [
  ...waiter,
  'room:write',
  'price:write',
  'product:write',
  'order:void',
  'bill:adjust',
  'report:read',
  'user:read',
  'membership:write',
  'user:assign_waiter',
  'audit:desk',
  'payment:read',
  'forecast:read',
  'experiment:write',
  'shift:manage',
  'bonus_rule:write',
  'day_close:read',
  'refund:approve',
];
const accountant: Permission[] = [
  'profile:self',
  'report:read',
  'ledger:read',
  'payment:read',
  'ledger:post',
  'ledger:close',
  'member:balance_read',
  'day_close:read',
];
const admin: Permission[] = [...PERMISSIONS];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  guest: new Set(guest),
  waiter: new Set(waiter),
  manager: new Set(manager),
  accountant: new Set(accountant),
  admin: new Set(admin),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isRouteAccess(value: unknown): value is RouteAccess {
  return value === 'public' || value === 'authenticated' || (PERMISSIONS as readonly unknown[]).includes(value);
}

export function allows(roles: readonly string[], permission: Permission): boolean {
  return roles.some((r) => isRole(r) && ROLE_PERMISSIONS[r].has(permission));
}

/** Staff see every booking and payment; guests only their own. */
export function isStaff(roles: readonly string[]): boolean {
  return allows(roles, 'booking:read');
}

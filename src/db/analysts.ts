import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from './schema.js';

/**
 * What `ktv_analyst` reads besides `rm.*`: the `analyst` schema's views (documented in
 * docs/READ_MODELS.md). Personal data (e-mails, phones, names given at the desk, IP addresses,
 * sign-in details) stays in the `rm` views below, which the role may not read; the `analyst`
 * views carry the rest of those rows, masked.
 */
export const PRIVATE_READ_MODELS = ['users', 'sessions', 'auth_audit', 'bookings', 'desk_actions', 'fapiao_requests'] as const;

/** The venue's business date of an instant, by the venue's time zone and business-day start as configured. */
const businessDate = (column: string) => `((${column} AT TIME ZONE v.tz) - make_interval(mins => v.start_minute))::date`;
const VENUE = `(SELECT coalesce(settings->>'timeZone', 'Asia/Shanghai') AS tz, coalesce((settings->>'businessDayStartMinute')::int, 360) AS start_minute
  FROM (SELECT 1) one LEFT JOIN rm.venue_settings ON id = 1) v`;
/** How a booking came: a walk-in, booked by the guest, or by staff for a guest. */
const CHANNEL = `CASE WHEN b.walk_in THEN 'walk_in' WHEN b.guest_id IS NOT NULL AND b.booked_by = b.guest_id THEN 'online' ELSE 'desk' END`;

type AnalystView = Readonly<{ needs: readonly string[]; body: string }>;
/** Local hour (0–23) of an instant, in the venue's time zone. */
const localHour = (column: string) => `extract(hour FROM ${column} AT TIME ZONE v.tz)::int`;
/**
 * The journal lines revenue is made of, as the revenue report counts them (SALES in
 * projections/ledger/journal.ts): income accounts and the VAT charged on bills, tax included.
 */
const SALES_LINE = `(l.account LIKE '6%' OR (l.account = '2221' AND l.booking_id IS NOT NULL))`;
const byAccount = (account: string) => `coalesce(sum(l.credit - l.debit) FILTER (WHERE l.account = '${account}'), 0)::bigint`;
/** A line sold at a member level above `regular` (the level the booking was priced at when held). */
const MEMBER_LINE = `l.member_level IS NOT NULL AND l.member_level <> 'regular'`;

export const ANALYST_VIEWS: Readonly<Record<string, AnalystView>> = {
  users: {
    needs: ['rm.users'],
    body: `SELECT id, split_part(email, '@', 2) AS email_domain, phone IS NOT NULL AS has_phone, roles, membership_level, registered_via,
                  registered_at, updated_at FROM rm.users`,
  },
  sessions: {
    needs: ['rm.sessions'],
    body: `SELECT session_id, user_id, device_id, method, started_at, last_used_at, ended_at, end_reason FROM rm.sessions`,
  },
  auth_audit: { needs: ['rm.auth_audit'], body: `SELECT event_id, user_id, type, at FROM rm.auth_audit` },
  bookings: {
    needs: ['rm.bookings'],
    body: `SELECT booking_id, room_id, room_type_id, guest_id, guest_name IS NOT NULL AS has_guest_name, guest_phone IS NOT NULL AS has_guest_phone,
                  booked_by, party_size, start_at, end_at, business_date, status, walk_in, open_timing, checked_out_at, hold_expires_at, price_total, deposit,
                  rate_card_version, price, base_price, extra_total, amount_paid, refund, bill, created_at, updated_at FROM rm.bookings`,
  },
  desk_actions: {
    needs: ['rm.desk_actions'],
    // The event's data stays out: a walk-in's carries the name and phone given at the desk.
    body: `SELECT event_id, position, type, actor, approved_by, booking_id, room_id, amount, at FROM rm.desk_actions`,
  },
  fapiao_requests: {
    needs: ['rm.fapiao_requests'],
    body: `SELECT booking_id, buyer_kind, tax_id IS NOT NULL AS has_tax_id, amount, tax, tax_rate_percent, requested_by, requested_at
           FROM rm.fapiao_requests`,
  },
  funnel_daily: {
    needs: ['rm.bookings', 'rm.venue_settings'],
    body: `SELECT day, channel, sum(searched)::int AS searched, sum(quoted)::int AS quoted, sum(held)::int AS held, sum(paid)::int AS paid,
                  sum(checked_in)::int AS checked_in
           FROM (
             SELECT ${businessDate('a.occurred_at')} AS day, 'online' AS channel, 1 AS searched,
                    CASE WHEN coalesce((a.props->>'rooms')::int, 0) > 0 THEN 1 ELSE 0 END AS quoted, 0 AS held, 0 AS paid, 0 AS checked_in
             FROM public.analytics_events a, ${VENUE} WHERE a.kind = 'search'
             UNION ALL
             SELECT ${businessDate('b.created_at')}, ${CHANNEL}, 0, 0,
                    CASE WHEN b.walk_in THEN 0 ELSE 1 END,
                    CASE WHEN b.amount_paid > 0 OR b.status IN ('confirmed', 'checked_in', 'checked_out', 'no_show') THEN 1 ELSE 0 END,
                    CASE WHEN b.status IN ('checked_in', 'checked_out') THEN 1 ELSE 0 END
             FROM rm.bookings b, ${VENUE}
           ) steps GROUP BY day, channel`,
  },
  cohorts: {
    needs: ['rm.bookings'],
    body: `WITH visits AS (
             SELECT guest_id, date_trunc('month', business_date)::date AS month, coalesce((bill->>'total')::bigint, amount_paid) AS spend
             FROM rm.bookings WHERE guest_id IS NOT NULL AND status IN ('checked_in', 'checked_out')),
           firsts AS (SELECT guest_id, min(month) AS cohort_month FROM visits GROUP BY guest_id),
           sizes AS (SELECT cohort_month, count(*)::int AS cohort_guests FROM firsts GROUP BY cohort_month)
           SELECT f.cohort_month,
                  ((extract(year FROM v.month) - extract(year FROM f.cohort_month)) * 12 + extract(month FROM v.month) - extract(month FROM f.cohort_month))::int AS months_since,
                  s.cohort_guests, count(DISTINCT v.guest_id)::int AS active_guests,
                  round(count(DISTINCT v.guest_id)::numeric / s.cohort_guests, 4) AS return_rate, sum(v.spend)::bigint AS spend
           FROM visits v JOIN firsts f USING (guest_id) JOIN sizes s USING (cohort_month)
           GROUP BY f.cohort_month, 2, s.cohort_guests`,
  },
  demand_hourly: {
    needs: ['rm.bookings', 'rm.venue_settings'],
    body: `SELECT b.room_type_id, b.business_date, extract(hour FROM b.start_at AT TIME ZONE v.tz)::int AS hour,
                  count(*)::int AS bookings, count(*) FILTER (WHERE b.status IN ('confirmed', 'checked_in', 'checked_out'))::int AS kept,
                  sum(b.party_size)::int AS guests, sum(extract(epoch FROM b.end_at - b.start_at) / 60)::int AS booked_minutes
           FROM rm.bookings b, ${VENUE} GROUP BY 1, 2, 3`,
  },
  cancellations_daily: {
    needs: ['rm.bookings'],
    body: `SELECT business_date, room_type_id, count(*)::int AS bookings,
                  count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled, count(*) FILTER (WHERE status = 'expired')::int AS expired,
                  count(*) FILTER (WHERE status = 'no_show')::int AS no_shows,
                  round(count(*) FILTER (WHERE status IN ('cancelled', 'no_show'))::numeric / count(*), 4) AS lost_rate,
                  coalesce(sum(refund) FILTER (WHERE status = 'cancelled'), 0)::bigint AS refunded
           FROM rm.bookings WHERE NOT walk_in GROUP BY 1, 2`,
  },
  // The owner's reports (GET /reports/owner reads these same bodies, so the page and the analysts agree).
  revenue_room_hourly: {
    needs: ['rm.journal_lines', 'rm.bookings', 'rm.venue_settings'],
    body: `SELECT l.business_date, l.room_id, ${localHour('b.start_at')} AS hour, count(DISTINCT l.booking_id)::int AS bookings,
                  ${byAccount('6001')} AS room_revenue, ${byAccount('6002')} AS product_revenue, ${byAccount('6003')} AS adjustments,
                  coalesce(sum(l.credit - l.debit) FILTER (WHERE l.account LIKE '6%' AND l.account NOT IN ('6001', '6002', '6003')), 0)::bigint AS other_revenue,
                  ${byAccount('2221')} AS vat, sum(l.credit - l.debit)::bigint AS revenue,
                  coalesce(sum(l.credit - l.debit) FILTER (WHERE ${MEMBER_LINE}), 0)::bigint AS member_revenue
           FROM rm.journal_lines l JOIN rm.bookings b ON b.booking_id = l.booking_id, ${VENUE}
           WHERE ${SALES_LINE}
           GROUP BY l.business_date, l.room_id, 3`,
  },
  party_spend: {
    needs: ['rm.journal_entries', 'rm.journal_lines', 'rm.bookings', 'rm.venue_settings'],
    body: `SELECT e.booking_id, e.business_date, b.room_id, b.room_type_id, b.party_size, b.walk_in, ${localHour('b.start_at')} AS hour,
                  s.member_level, s.revenue, s.room_revenue, s.product_revenue
           FROM rm.journal_entries e JOIN rm.bookings b ON b.booking_id = e.booking_id, ${VENUE},
           LATERAL (SELECT max(l.member_level) AS member_level, coalesce(sum(l.credit - l.debit), 0)::bigint AS revenue,
                           ${byAccount('6001')} AS room_revenue, ${byAccount('6002')} AS product_revenue
                    FROM rm.journal_lines l WHERE l.booking_id = e.booking_id AND ${SALES_LINE}) s
           WHERE e.event_type = 'BookingCheckedOut'`,
  },
  occupancy_room_hourly: {
    needs: ['rm.occupancy_hourly', 'rm.venue_settings'],
    body: `SELECT o.room_id, o.business_date, ${localHour('o.hour_start')} AS hour, sum(o.occupied_minutes)::int AS occupied_minutes
           FROM rm.occupancy_hourly o, ${VENUE} GROUP BY 1, 2, 3`,
  },
};

const exists = async (db: Kysely<PlatformDatabase>, name: string) =>
  (await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(db)).rows[0]?.found === true;

/**
 * After the `rm` views of `tables` switched builds (which dropped the `analyst` views over them),
 * builds those `analyst` views again where their read models exist, and keeps `ktv_analyst` off
 * the private ones. Runs inside the switch's transaction under a lock, so concurrent switches
 * rebuild one after another.
 */
export async function refreshAnalystViews(trx: Kysely<PlatformDatabase>, tables: readonly string[]): Promise<void> {
  const switched = new Set(tables.map((t) => `rm.${t}`));
  const affected = Object.entries(ANALYST_VIEWS).filter(([, view]) => view.needs.some((n) => switched.has(n)));
  const revoked = PRIVATE_READ_MODELS.filter((name) => switched.has(`rm.${name}`));
  if (affected.length === 0 && revoked.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtext('analyst-views'))`.execute(trx);
  if (!(await exists(trx, 'analyst.analyst_marker'))) return;
  for (const [name, view] of affected) {
    let ready = true;
    for (const needed of view.needs) ready &&= await exists(trx, needed);
    if (!ready) continue;
    await sql`DROP VIEW IF EXISTS ${sql.id('analyst', name)}`.execute(trx);
    await sql`CREATE VIEW ${sql.id('analyst', name)} AS ${sql.raw(view.body)}`.execute(trx);
  }
  const role = await sql<{ found: boolean }>`SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ktv_analyst') AS found`.execute(trx);
  if (!role.rows[0]?.found) return;
  // The new rm views were granted to ktv_analyst by default; the private ones are taken back at once.
  for (const name of revoked) {
    if (await exists(trx, `rm.${name}`)) await sql`REVOKE ALL ON ${sql.id('rm', name)} FROM ktv_analyst`.execute(trx);
  }
  await sql`GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO ktv_analyst`.execute(trx);
}

const ROLE_NAME = /^[a-z][a-z0-9_]{1,62}$/;
export const isAnalystName = (name: string) => ROLE_NAME.test(name) && !name.startsWith('pg_') && name !== 'ktv_analyst';

/** Creates a login role in `ktv_analyst` with a fresh password, which is returned once and stored nowhere. */
export async function grantAnalyst(db: Kysely<PlatformDatabase>, name: string): Promise<string> {
  if (!isAnalystName(name)) throw new Error(`${name} is not a usable role name (lower-case letters, digits and _, starting with a letter)`);
  // base64url has no quote or backslash, so the password is safe as a literal (DDL takes no parameters).
  const password = randomBytes(18).toString('base64url');
  await sql`CREATE ROLE ${sql.id(name)} LOGIN PASSWORD ${sql.lit(password)} IN ROLE ktv_analyst`.execute(db);
  return password;
}

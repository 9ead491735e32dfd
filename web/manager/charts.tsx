import type { Strings } from './strings.js';

/** The answer of GET /reports/owner, as far as the page reads it. */
export type OwnerReport = {
  from: string;
  to: string;
  days: number;
  headline: {
    revenue: number;
    parties: number;
    averageSpendPerParty: number;
    fnbShare: number;
    memberShare: number;
  };
  revenueByDay: { businessDate: string; room: number; products: number; adjustments: number }[];
  occupancy: {
    hours: number[];
    rooms: { roomId: string; name: string; cells: { hour: number; occupiedMinutes: number; rate: number }[] }[];
  };
};

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
export const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

const CELL = 28;
const LABEL = 64;

/**
 * Rooms down, the business day's hours across; the darker a cell, the more of that hour was taken,
 * relative to the busiest cell (over a week no hour is taken every day, and the map should still read).
 */
export function HeatMap({ report, t }: { report: OwnerReport; t: Strings }) {
  const { hours, rooms } = report.occupancy;
  const busiest = Math.max(0, ...rooms.flatMap((r) => r.cells.map((c) => c.rate)));
  const width = LABEL + hours.length * CELL;
  const height = 20 + rooms.length * CELL;
  return (
    <svg class="heat-map" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={t.occupancy}>
      {hours.map((h, i) => (
        <text x={LABEL + i * CELL + CELL / 2} y={14} text-anchor="middle" class="axis">
          {h}
        </text>
      ))}
      {rooms.map((room, r) => (
        <g data-room={room.roomId}>
          <text x={LABEL - 6} y={20 + r * CELL + CELL / 2 + 4} text-anchor="end" class="axis">
            {room.name}
          </text>
          {room.cells.map((c, i) => (
            <rect
              class="cell"
              data-hour={c.hour}
              data-minutes={c.occupiedMinutes}
              x={LABEL + i * CELL + 1}
              y={20 + r * CELL + 1}
              width={CELL - 2}
              height={CELL - 2}
              rx={3}
              fill={c.rate > 0 ? `rgba(198, 40, 40, ${0.15 + (0.85 * c.rate) / busiest})` : '#e6e6ea'}
            >
              <title>{`${room.name} ${t.hour(c.hour)}: ${percent(c.rate)}`}</title>
            </rect>
          ))}
        </g>
      ))}
    </svg>
  );
}

const CATEGORIES = ['room', 'products', 'adjustments'] as const;
const COLOURS = { room: '#1565c0', products: '#ef6c00', adjustments: '#616161' } as const;
const BAR = 36;
const PLOT = 180;

/** One bar per day: rooms and food and drink stacked above the axis, adjustments (negative) below. */
export function RevenueChart({ report, t }: { report: OwnerReport; t: Strings }) {
  const days = report.revenueByDay;
  if (days.length === 0) return <p class="empty">{t.noRevenue}</p>;
  const up = Math.max(1, ...days.map((d) => Math.max(0, d.room) + Math.max(0, d.products)));
  const down = Math.max(0, ...days.map((d) => -Math.min(0, d.adjustments)));
  const scale = PLOT / (up + down);
  const axis = 10 + up * scale;
  const width = 20 + days.length * (BAR + 16);
  return (
    <figure>
      <svg
        class="revenue-chart"
        viewBox={`0 0 ${width} ${PLOT + 40}`}
        width={width}
        height={PLOT + 40}
        role="img"
        aria-label={t.revenueByDay}
      >
        <line x1={0} x2={width} y1={axis} y2={axis} stroke="#999" />
        {days.map((d, i) => {
          const x = 16 + i * (BAR + 16);
          let top = axis;
          return (
            <g data-date={d.businessDate}>
              {CATEGORIES.map((c) => {
                const amount = d[c];
                const h = Math.abs(amount) * scale;
                const y = amount >= 0 ? (top -= h) : axis;
                return (
                  <rect class="bar" data-category={c} data-amount={amount} x={x} y={y} width={BAR} height={h} fill={COLOURS[c]}>
                    <title>{`${d.businessDate} ${t[c]}: ${yuan(amount)}`}</title>
                  </rect>
                );
              })}
              <text x={x + BAR / 2} y={PLOT + 34} text-anchor="middle" class="axis">
                {d.businessDate.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {CATEGORIES.map((c) => (
          <span class="key">
            <i style={{ background: COLOURS[c] }} /> {t[c]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

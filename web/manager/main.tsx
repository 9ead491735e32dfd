import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { SignIn } from '../shared/sign-in.js';
import { Shell } from '../shared/shell.js';
import { field } from '../shared/form.js';
import { api } from '../shared/api.js';
import { businessDay } from '../shared/time.js';
import { lang, useStrings } from '../shared/i18n.js';
import { STRINGS } from './strings.js';
import { HeatMap, RevenueChart, percent, yuan, type OwnerReport } from './charts.js';

/** Who may read the owner's reports (the API's `report:read`). */
const READERS = ['manager', 'accountant', 'admin'];

const minusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

function Reports() {
  const [t] = useStrings(STRINGS);
  const [period, setPeriod] = useState<{ from: string; to: string } | null>(null);
  const [report, setReport] = useState<OwnerReport | null>(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    // The last seven business days, by the venue's calendar rather than the device's.
    api<{ timeZone: string; businessDayStartMinute: number }>('GET', '/venue')
      .then((v) => {
        const to = businessDay(Date.now(), v.timeZone, v.businessDayStartMinute).date;
        setPeriod({ from: minusDays(to, 6), to });
      })
      .catch(() => setError(true));
  }, []);
  useEffect(() => {
    if (!period) return;
    setReport(null);
    setError(false);
    api<OwnerReport>('GET', `/reports/owner?from=${period.from}&to=${period.to}`)
      .then(setReport)
      .catch(() => setError(true));
  }, [period]);
  const choose = (e: Event) => {
    e.preventDefault();
    setPeriod({ from: field(e, 'from'), to: field(e, 'to') });
  };
  const h = report?.headline;
  return (
    <main>
      {period && (
        <form class="period" onSubmit={choose}>
          <label>
            {t.from} <input type="date" name="from" value={period.from} required />
          </label>
          <label>
            {t.to} <input type="date" name="to" value={period.to} required />
          </label>
          <button type="submit">{t.show}</button>
        </form>
      )}
      {error && <p class="error">{t.failed}</p>}
      {!report && !error && <p class="status">{t.loading}</p>}
      {report && h && (
        <div class="report" data-from={report.from} data-to={report.to}>
          <dl class="headline">
            {(
              [
                ['revenue', t.revenue, yuan(h.revenue)],
                ['parties', t.parties, String(h.parties)],
                ['averageSpendPerParty', t.averageSpend, yuan(h.averageSpendPerParty)],
                ['fnbShare', t.fnbShare, percent(h.fnbShare)],
                ['memberShare', t.memberShare, percent(h.memberShare)],
              ] as const
            ).map(([key, label, shown]) => (
              <div data-figure={key} data-value={h[key]}>
                <dt>{label}</dt>
                <dd>{shown}</dd>
              </div>
            ))}
          </dl>
          <section>
            <h2>{t.occupancy}</h2>
            <p class="note">{t.occupancyNote(report.days)}</p>
            <div class="scroll">
              <HeatMap report={report} t={t} />
            </div>
          </section>
          <section>
            <h2>{t.revenueByDay}</h2>
            <div class="scroll">
              <RevenueChart report={report} t={t} />
            </div>
          </section>
        </div>
      )}
    </main>
  );
}

function App() {
  const [t, current] = useStrings(STRINGS);
  return <Shell labels={t} current={current} page={<Reports />} signIn={<SignIn roles={READERS} labels={t} />} />;
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);

/** Where progress goes: the CLI passes process.stderr; tests a collecting writer. */
export type ProgressOutput = Readonly<{ isTTY?: boolean; write(text: string): unknown }>;

export type Progress = Readonly<{
  /** `done` so far, of the total given (if one was). */
  update(done: number): void;
  /** Prints the last figures and ends the line. */
  finish(): void;
}>;

const silent: Progress = { update() {}, finish() {} };

const number = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${s} s`;
}

/**
 * Progress of long CLI work (rebuilds, ledger replays, history) with its rate and
 * the time left at that rate. Shown only when asked (`enabled`): the CLI asks when
 * stderr is a terminal or `--progress` is given, so pipes and logs stay clean unless
 * wanted. A terminal gets one line redrawn at most four times a second; anything
 * else gets a line every five seconds.
 */
export function progress(
  label: string,
  o: Readonly<{ total: number | null; unit: string; enabled: boolean; out: ProgressOutput; now?: () => number }>,
): Progress {
  if (!o.enabled) return silent;
  const now = o.now ?? (() => performance.now());
  const began = now();
  const every = o.out.isTTY ? 250 : 5000;
  let shownAt = -Infinity;
  let shownDone = -1;
  let latest = 0;

  const line = () => {
    const seconds = (now() - began) / 1000;
    const rate = seconds > 0 ? latest / seconds : 0;
    const parts = [`${label}: ${number(latest)}${o.total !== null ? ` of ${number(o.total)}` : ''} ${o.unit}`];
    if (o.total !== null && o.total > 0) parts.push(`${Math.min(100, Math.floor((100 * latest) / o.total))} %`);
    parts.push(`${number(rate)} ${o.unit}/s`);
    if (o.total !== null) parts.push(`${duration(rate > 0 ? (o.total - latest) / rate : Infinity)} left`);
    return parts.join(', ');
  };
  const show = (final: boolean) => {
    shownDone = latest;
    // On a terminal the line is redrawn in place (\r, then clear to its end).
    o.out.write(o.out.isTTY ? `\r${line()}\x1b[K${final ? '\n' : ''}` : `${line()}\n`);
  };

  return {
    update(done) {
      latest = done;
      if (now() - shownAt < every) return;
      shownAt = now();
      show(false);
    },
    finish() {
      // A log already has the last figures; a terminal's line still needs its end.
      if (o.out.isTTY || shownDone !== latest) show(true);
    },
  };
}

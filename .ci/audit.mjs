// The production dependencies' known vulnerabilities, as CI checks them (docs/DEPENDENCIES.md):
// any high or critical finding fails the run. When the audit service cannot be reached this says so
// loudly ("NOT CHECKED") and passes, because an unreachable service is not a finding; AUDIT_REQUIRED=1
// turns that into a failure where the service must be reachable.
//
//   node .ci/audit.mjs               runs `npm audit --omit=dev --json` and judges its report
//   node .ci/audit.mjs --from FILE   judges a report saved earlier (how the verdicts are tested)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const BLOCKING = ['high', 'critical'];

function runAudit() {
  const npm = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', timeout: 120_000 });
  if (npm.error) return { text: '', failure: npm.error.message };
  const stderr = npm.stderr.split('\n').find((line) => /npm (error|warn)/.test(line));
  return { text: npm.stdout, failure: stderr };
}

/** The report's findings, or why there is no report. */
function judge(text, failure) {
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    return { unchecked: failure ?? 'npm audit printed no report' };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts) {
    return { unchecked: report?.message ?? report?.error?.summary ?? failure ?? 'the report has no vulnerability counts' };
  }
  const blocking = Object.values(report.vulnerabilities ?? {}).filter((v) => BLOCKING.includes(v.severity));
  return { counts, blocking };
}

const fromIndex = process.argv.indexOf('--from');
const { text, failure } = fromIndex > 0 ? { text: readFileSync(process.argv[fromIndex + 1], 'utf8') } : runAudit();
const verdict = judge(text, failure);

if (verdict.unchecked) {
  console.log(`npm audit NOT CHECKED: ${verdict.unchecked}`);
  process.exit(process.env.AUDIT_REQUIRED === '1' ? 1 : 0);
}
const { counts, blocking } = verdict;
const summary = ['critical', 'high', 'moderate', 'low'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
if (blocking.length > 0) {
  console.log(`npm audit FAILED: production dependencies have ${summary}`);
  for (const v of blocking) console.log(`  ${v.severity}: ${v.name} ${v.range ?? ''}${v.fixAvailable ? ' (fix available)' : ''}`);
  process.exit(1);
}
console.log(`npm audit passed: production dependencies have ${summary}`);

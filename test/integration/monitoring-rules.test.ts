// The alert rules run by Prometheus' own promtool (built from the Go module proxy by `npm run services --
// test-tools`): they parse, the configuration that loads them is valid, and their unit tests
// (monitoring/prometheus/alerts.test.yml) pass, with each alert shown firing at least once. Every query of
// the Grafana dashboard is parsed by Prometheus' PromQL parser too.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { Home } from '../../scripts/services/home.ts';
import { promtoolPath } from '../../scripts/services/promtool.ts';
import { testConfig } from '../support/fixtures.ts';
import { dashboard } from '../support/monitoring.ts';

const run = promisify(execFile);
const DIR = path.resolve('monitoring', 'prometheus');
const promtool = promtoolPath(new Home(testConfig().CDCLAKE_HOME));

async function promtoolSays(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args, { cwd: DIR });
    return { code: 0, output: stdout + stderr };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

test('promtool checks the alert rules and passes their unit tests', async () => {
  const checked = await promtoolSays('check', 'rules', 'alerts.yml');
  expect(checked.output).toContain('SUCCESS: 8 rules found');
  expect(checked.code, checked.output).toBe(0);
  const tested = await promtoolSays('test', 'rules', 'alerts.test.yml');
  expect(tested.code, tested.output).toBe(0);
  expect(tested.output).toContain('SUCCESS');
});

test('every alert has a test that shows it firing', () => {
  const rules = parse(fs.readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string }[] }[];
  };
  const tests = parse(fs.readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8')) as {
    tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
  };
  const firing = new Set(
    tests.tests.flatMap((t) =>
      t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
    ),
  );
  for (const { alert } of rules.groups.flatMap((g) => g.rules)) expect(firing, alert).toContain(alert);
});

test("promtool checks Prometheus' configuration with the rules it loads", async () => {
  // The compose stack mounts alerts.yml at /etc/prometheus/alerts.yml (test/unit/monitoring.test.ts): here
  // the same configuration points at the file in the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-prometheus-'));
  try {
    const config = fs
      .readFileSync(path.join(DIR, 'prometheus.yml'), 'utf8')
      .replace('/etc/prometheus/alerts.yml', path.join(DIR, 'alerts.yml'));
    expect(config).toContain(path.join(DIR, 'alerts.yml'));
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const checked = await promtoolSays('check', 'config', path.join(dir, 'prometheus.yml'));
    expect(checked.code, checked.output).toBe(0);
    expect(checked.output).toContain('SUCCESS: 8 rules found');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every query of the Grafana dashboard parses as Prometheus parses it', async () => {
  const queries = dashboard().panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
  expect(queries.length).toBeGreaterThan(10);
  for (const { panel, expr } of queries) {
    // Grafana fills its interval variables in before Prometheus sees the query.
    const sent = expr.replaceAll(/\$__(rate_)?interval|\$__range/g, '5m');
    const parsed = await promtoolSays('--experimental', 'promql', 'format', sent);
    expect(parsed.code, `${panel}: ${expr}\n${parsed.output}`).toBe(0);
  }
  // The parser refuses what it should: the check is not a formality.
  expect((await promtoolSays('--experimental', 'promql', 'format', 'sum(rate(cdclake_x[5m])')).code).not.toBe(
    0,
  );
});

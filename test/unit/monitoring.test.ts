// The Prometheus alert rules and the Grafana dashboard in monitoring/: every metric they name is one cdclake
// exports (the catalogue; test/e2e/up.test.ts checks a running `cdclake up` serves each), counters are only
// read through rate() or increase(), and the files are wired to each other as docker-compose.yml mounts them.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { METRICS } from '../../core/metric-catalog.ts';
import {
  alertRules,
  dashboard,
  MONITORING,
  monitoringMetricNames,
  monitoringQueries,
} from '../support/monitoring.ts';

const read = (...parts: string[]): unknown =>
  parse(fs.readFileSync(path.join(MONITORING, ...parts), 'utf8')) as unknown;

describe('monitoring', () => {
  test('every metric the rules and the dashboard name is in the catalogue', () => {
    const names = monitoringMetricNames();
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !(name in METRICS))).toEqual([]);
  });

  test('counters are read through rate() or increase(), gauges as they are', () => {
    for (const query of monitoringQueries()) {
      for (const match of query.matchAll(/\bcdclake_[a-z0-9_]+/g)) {
        const name = match[0] as keyof typeof METRICS;
        const before = query.slice(0, match.index).replace(/\s+/g, '');
        const wrapped = /(rate|increase)\($/.test(before);
        expect({ query, name, wrapped }).toEqual({ query, name, wrapped: METRICS[name].kind === 'counter' });
      }
    }
  });

  test('the alert rules cover the slot, the consumer, freshness, dead letters and progress', () => {
    const rules = alertRules();
    const covered = (metric: string): boolean => rules.some((r) => r.expr.includes(metric));
    for (const metric of [
      'cdclake_producer_slot_lag_bytes',
      'cdclake_consumer_lag',
      'cdclake_merge_newest_change_timestamp_seconds',
      'cdclake_consumer_dead_letters_total',
      'cdclake_consumer_events_in_total',
      'cdclake_merge_last_pass_timestamp_seconds',
    ])
      expect(covered(metric), metric).toBe(true);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^Cdclake[A-Z]\w+$/);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length ?? 0).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length ?? 0).toBeGreaterThan(10);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test("the dashboard's panels query the provisioned data source", () => {
    const sources = read('grafana', 'provisioning', 'datasources', 'prometheus.yml') as {
      datasources: { uid: string; url: string }[];
    };
    const uid = sources.datasources[0]?.uid;
    const board = dashboard();
    expect(board.uid).toBe('cdclake');
    const ids = new Set<unknown>();
    for (const panel of board.panels) {
      ids.add((panel as unknown as { id: unknown }).id);
      expect(panel.datasource.uid, panel.title).toBe(uid);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.datasource.uid).toBe(uid);
    }
    expect(ids.size).toBe(board.panels.length);
    expect(sources.datasources[0]?.url).toBe('http://prometheus:9090');
  });

  test('docker-compose.yml mounts these files where Prometheus and Grafana read them', () => {
    const compose = parse(fs.readFileSync(path.join(MONITORING, '..', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[]; profiles?: string[]; command?: string[] }>;
    };
    const prometheus = compose.services['prometheus'];
    const grafana = compose.services['grafana'];
    expect(prometheus?.profiles).toEqual(['monitoring']);
    expect(grafana?.profiles).toEqual(['monitoring']);
    expect(prometheus?.volumes).toContain('./monitoring/prometheus:/etc/prometheus:ro');
    expect(grafana?.volumes).toContain('./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(grafana?.volumes).toContain('./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    const config = read('prometheus', 'prometheus.yml') as {
      rule_files: string[];
      scrape_configs: { static_configs?: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(config.scrape_configs[0]?.static_configs?.[0]?.targets).toEqual(['cdclake:9464']);
    const providers = read('grafana', 'provisioning', 'dashboards', 'cdclake.yml') as {
      providers: { options: { path: string } }[];
    };
    expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });
});

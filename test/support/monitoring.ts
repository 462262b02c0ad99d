// The monitoring files of the repository (Prometheus alert rules, the Grafana dashboard) and the metric
// names their queries use.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const MONITORING = path.resolve(import.meta.dirname, '..', '..', 'monitoring');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const file = parse(fs.readFileSync(path.join(MONITORING, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { name: string; rules: AlertRule[] }[];
  };
  return file.groups.flatMap((g) => g.rules);
}

export interface Panel {
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}

export function dashboard(): { uid: string; panels: Panel[] } {
  return JSON.parse(
    fs.readFileSync(path.join(MONITORING, 'grafana', 'dashboards', 'cdclake.json'), 'utf8'),
  ) as { uid: string; panels: Panel[] };
}

/** Every PromQL expression of the rules and the dashboard. */
export function monitoringQueries(): string[] {
  return [
    ...alertRules().map((r) => r.expr),
    ...dashboard().panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ];
}

/** The cdclake metric names the queries use. */
export function monitoringMetricNames(): string[] {
  const names = new Set<string>();
  for (const query of monitoringQueries())
    for (const [name] of query.matchAll(/\bcdclake_[a-z0-9_]+/g)) names.add(name);
  return [...names].sort();
}

// The tools the tests run beside the services, built or fetched once under CDCLAKE_HOME: Debezium's connector
// on Kafka Connect (its end-to-end test) and promtool (the alert rules' tests). The tests' global setup asks
// for them before any test starts; `.ci/run` first (`npm run services -- test-tools`), so their first build is
// not counted in the test run.

import { installDebezium } from './debezium.ts';
import type { Home } from './home.ts';
import { installPromtool } from './promtool.ts';
import { DEBEZIUM_VERSION } from './versions.ts';

type Step = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export async function installTestTools(home: Home, step: Step = (_name, work) => work()): Promise<void> {
  await Promise.all([
    step(`Debezium ${DEBEZIUM_VERSION} and Kafka Connect jars`, () => installDebezium(home)),
    step('promtool build (Prometheus v3.5.0)', () => installPromtool(home)),
  ]);
}

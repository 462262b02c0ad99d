// Jars from Maven Central without a build: a small pom naming the artifacts, and Maven's
// `dependency:copy-dependencies` copying them with their runtime dependencies into one folder, the classpath
// of a `java -cp 'lib/*'` launch. Maven's local repository is kept under the project's home, so a second
// install reads no network.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from './home.ts';
import { run } from './tools.ts';

export interface MavenArtifact {
  group: string;
  artifact: string;
  version: string;
}

export async function copyJars(
  home: Home,
  options: {
    /** The pom's artifactId (it names nothing else). */
    name: string;
    /** Where the pom is written. */
    work: string;
    /** The folder the jars land in; emptied first. */
    lib: string;
    artifacts: MavenArtifact[];
    /** What is fetched, for the log and an error. */
    what: string;
  },
): Promise<void> {
  const pom = path.join(options.work, 'pom.xml');
  const dependencies = options.artifacts.map(
    (a) =>
      `    <dependency><groupId>${a.group}</groupId><artifactId>${a.artifact}</artifactId><version>${a.version}</version></dependency>`,
  );
  fs.writeFileSync(
    pom,
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.cdclake</groupId><artifactId>${options.name}</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
${dependencies.join('\n')}
  </dependencies>
</project>
`,
  );
  fs.rmSync(options.lib, { recursive: true, force: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      `-Dmaven.repo.local=${home.dir('maven', 'repository')}`,
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${options.lib}`,
      '-DincludeScope=runtime',
    ],
    { what: options.what },
  );
}

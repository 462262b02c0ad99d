#!/usr/bin/env bash
# Installs the machine tools the native services need when they are missing: a JDK and Maven for Kafka,
# Python for the DuckDB extension wheels, PostgreSQL's server. Go (for MinIO) must be 1.24+, newer than
# Debian's, so it is checked, not installed.
set -euo pipefail
need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v python3 >/dev/null || need+=(python3 python3-pip)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]}; install them: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if ! command -v go >/dev/null; then
  echo "go is needed to build MinIO (it ships source only): install Go 1.24+ from https://go.dev/dl" >&2
  exit 1
fi
echo "java: $(java -version 2>&1 | head -1); mvn: $(mvn -v 2>/dev/null | head -1); $(go version); $(python3 --version)"

#!/usr/bin/env bash
# Install uv at the version pinned in tools/release-pins.txt (`pypi uv <version>`), the one
# package CI installs outside uv.lock; GitHub Actions and Azure Pipelines both call this.
# Usage: tools/install_uv.sh [pip|pipx]   (pipx where the system Python is externally managed)
set -euo pipefail
pins="$(dirname "$0")/release-pins.txt"
installer=${1:-pip}
version=$(awk '$1 == "pypi" && $2 == "uv" {print $3}' "$pins")
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "$pins pins no uv version (got '$version'): add a 'pypi uv <version>' line" >&2
  exit 2
fi
case "$installer" in
  pip) python -m pip install "uv==$version" ;;
  pipx) pipx install "uv==$version" ;;
  *) echo "usage: $0 [pip|pipx]" >&2; exit 2 ;;
esac

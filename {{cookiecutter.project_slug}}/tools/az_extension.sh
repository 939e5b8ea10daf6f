#!/usr/bin/env bash
# Add the Azure CLI extension <name> at the version pinned in tools/release-pins.txt, replacing
# any other installed version; az checks the wheel against the SHA-256 of the extension index.
# Usage: tools/az_extension.sh <name>   (ml, azure-devops: an az-extension line of the pins)
set -euo pipefail
pins="$(dirname "$0")/release-pins.txt"
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 <name> (an az-extension line of $pins)" >&2
  exit 2
fi
version=$(awk -v n="$1" '$1 == "az-extension" && $2 == n {print $3}' "$pins")
if [ -z "$version" ]; then
  echo "$pins pins no Azure CLI extension named $1: add an 'az-extension $1 <version>' line" >&2
  exit 2
fi
az extension add --name "$1" --version "$version" --upgrade --yes --only-show-errors

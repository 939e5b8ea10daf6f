#!/usr/bin/env bash
# Download a release archive pinned in tools/release-pins.txt, check it against the SHA-256
# committed there and unpack it into <dir>; print the folder that holds the tool's executable.
# Nothing is unpacked unless the SHA-256 matches.
# Usage: tools/install_release.sh <name> <dir>   (name: an `archive` line of release-pins.txt)
set -euo pipefail
pins="$(dirname "$0")/release-pins.txt"
if [ "$#" -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: $0 <name> <dir> (name: pulumi or trivy, an archive line of $pins)" >&2
  exit 2
fi
name=$1 dir=$2
read -r version sha256 url < <(awk -v n="$name" '$1 == "archive" && $2 == n {print $3, $4, $5}' "$pins") || true
if [ -z "${url:-}" ]; then
  echo "$pins pins no archive named $name: add an 'archive $name <version> <sha256> <url>' line" >&2
  exit 2
fi
if ! [[ $sha256 =~ ^[0-9a-f]{64}$ ]]; then
  echo "$pins: $name $version has no SHA-256 (got '$sha256'): copy the archive's line from the checksums file published with that release, then commit it" >&2
  exit 2
fi
case "$url" in
  *"$version"*) ;;
  *) echo "$pins: the URL of $name does not name its version $version: fix the line" >&2; exit 2 ;;
esac
mkdir -p "$dir"
archive="$dir/${url##*/}"
curl -fsSL --retry 3 -o "$archive" "$url"
if ! echo "$sha256  $archive" | sha256sum --check --strict --status; then
  rm -f "$archive"
  echo "$name $version: $url does not match the SHA-256 pinned in $pins: refused, nothing installed" >&2
  exit 1
fi
tar -xzf "$archive" -C "$dir"
rm -f "$archive"
bin=$(find "$dir" -maxdepth 2 -type f -name "$name" -perm -u+x -print -quit)
if [ -z "$bin" ]; then
  echo "$url holds no executable named $name" >&2
  exit 1
fi
dirname "$bin"

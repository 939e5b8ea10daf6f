#!/usr/bin/env bash
# `pulumi up` of one stack of infra/, the serving image pinned to a digest (both CI providers
# call this for every update; a preview runs pulumi itself). The digest AKS serves is:
#   - the one given: the scoring image this release built and scanned (CD's deploy jobs);
#   - else the one the stack serves now (`pulumi stack output servingImageDigest`), so an
#     infrastructure update that runs before the image build never rolls AKS back to the
#     digest committed in Pulumi.<stack>.yaml;
#   - else (no such output yet: the first `pulumi up`) the committed one, the bootstrap.
# Logged in to the stack's backend (pulumi login), the Azure credentials in the environment.
# Usage: tools/pulumi_up.sh <stack> [sha256:<64 hex>]
set -euo pipefail
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ -z "$1" ]; then
  echo "usage: $0 <stack> [sha256:<digest of the scanned scoring image>]" >&2
  exit 2
fi
stack=$1
digest_pattern='^sha256:[0-9a-f]{64}$'
cd "$(dirname "$0")/../infra"
if [ "$#" -eq 2 ]; then
  digest=$2 source="this release's scanned image"
  if ! [[ "$digest" =~ $digest_pattern ]]; then
    echo "pulumi_up: '$digest' is no image digest: give sha256:<64 lowercase hex> (the digest" \
      "of the scanned scoring image), or no digest to keep the one the stack serves" >&2
    exit 2
  fi
else
  digest=$(pulumi stack output servingImageDigest --stack "$stack" 2>/dev/null || true)
  source="the digest stack $stack serves now"
  if [ -n "$digest" ] && ! [[ "$digest" =~ $digest_pattern ]]; then
    echo "pulumi_up: stack $stack exports servingImageDigest '$digest', no image digest:" \
      "pass the scanned image's digest as the second argument" >&2
    exit 2
  fi
fi
config=()
if [ -n "$digest" ]; then
  echo "pulumi_up: stack $stack serves $digest ($source)" >&2
  config=(--config "servingImageDigest=$digest")
else
  echo "pulumi_up: stack $stack has no servingImageDigest output yet:" \
    "Pulumi.$stack.yaml's committed digest applies (the bootstrap)" >&2
fi
# The project's CrossGuard pack (all mandatory): a violation fails the update.
pulumi up --yes --non-interactive --stack "$stack" --policy-pack ../policies/crossguard \
  ${config[@]+"${config[@]}"}

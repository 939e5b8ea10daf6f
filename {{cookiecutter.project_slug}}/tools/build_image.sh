#!/usr/bin/env bash
# Build the scoring image in a stack's registry from approved sources only (both CI providers
# call this; `az` logged in, `make setup` done):
#   1. the approved base image (policies/packages/allowlist.yaml, by digest) is imported into the
#      registry by digest (python -m policies.base_images import; refuses the shipped placeholder)
#   2. `az acr build` with BASE_REGISTRY=<the registry's login server> and the secret build
#      argument PIP_INDEX_URL: the stack feed's approved view (FEED_INDEX_URL) with an Entra token
#      of the signed-in identity for Azure DevOps as its password; it is used in the Dockerfile's
#      first stage only, so it is in neither the image nor its history, and it expires
# Usage: FEED_INDEX_URL=<view> tools/build_image.sh <registry> <repository:tag>
set -euo pipefail
if [ "$#" -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: $0 <registry> <repository:tag>   (FEED_INDEX_URL: the stack feed's approved view)" >&2
  exit 2
fi
case "${FEED_INDEX_URL:-}" in
  https://*) ;;
  *)
    echo "FEED_INDEX_URL must be this stack feed's approved view (https://...): print it with" \
      ".venv/bin/python -m policies.feed_index --org-url <org> --project <project> --feed feed-<prefix>" >&2
    exit 2
    ;;
esac
registry=$1 image=$2
azure_devops=499b84ac-1321-427f-aa17-267ca6975798 # the Azure DevOps resource (Azure Artifacts)
"${PYTHON:-.venv/bin/python}" -m policies.base_images import --registry "$registry"
server=$(az acr show --name "$registry" --query loginServer -o tsv)
token=$(az account get-access-token --resource "$azure_devops" --query accessToken -o tsv)
az acr build --registry "$registry" --image "$image" --file Dockerfile \
  --build-arg BASE_REGISTRY="$server" \
  --secret-build-arg PIP_INDEX_URL="https://build:${token}@${FEED_INDEX_URL#https://}" .

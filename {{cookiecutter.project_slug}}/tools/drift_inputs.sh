#!/usr/bin/env bash
# What the scheduled drift check compares in an environment, fetched from the Azure ML workspace
# `az` is logged in to (az configure --defaults group=<rg> workspace=<workspace> first):
#   <out>/baseline.json  the training baseline of the model the live deployment serves
#   <out>/collected/     the inputs the live deployment's data collector logged (model_inputs)
# Usage: tools/drift_inputs.sh <endpoint> <serving-model-name> <out-dir>
set -euo pipefail
if [ "$#" -ne 3 ] || [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ]; then
  echo "usage: $0 <endpoint> <serving-model-name> <out-dir> (the endpoint: pulumi stack output onlineEndpointName)" >&2
  exit 2
fi
endpoint=$1 model=$2 out=$3
"$(dirname "$0")/az_extension.sh" ml
# The live deployment is the one with the largest traffic share (as in the rollout).
live=$(az ml online-endpoint show --name "$endpoint" --query traffic -o json |
  jq -r 'to_entries | max_by(.value) | .key // empty')
[ -n "$live" ] || { echo "$endpoint serves no traffic: nothing to check" >&2; exit 2; }
# azureml:<name>:<version> or an ARM id ending in /versions/<version>
model_id=$(az ml online-deployment show --endpoint-name "$endpoint" --name "$live" --query model -o tsv)
version=${model_id##*[:/]}
rm -rf "$out" && mkdir -p "$out"
az ml model download --name "$model" --version "$version" --download-path "$out/model"
baseline=$(find "$out/model" -name baseline.json -print -quit)
if [ -z "$baseline" ]; then
  echo "$model:$version has no baseline.json: retrain and roll out a newer version" >&2
  exit 2
fi
cp "$baseline" "$out/baseline.json"
az ml data download --name "$endpoint-$live-model_inputs" --label latest \
  --download-path "$out/collected"
echo "$endpoint/$live serves $model:$version; baseline and collected inputs in $out"

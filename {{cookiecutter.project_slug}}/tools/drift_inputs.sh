#!/usr/bin/env bash
# What the scheduled drift check compares in an environment, fetched from the Azure ML workspace
# `az` is logged in to (az configure --defaults group=<rg> workspace=<workspace> first):
#   <out>/model/      the folder of the model the live deployment serves, as `package` wrote it:
#                     baseline.json with the contract.yaml and model card it belongs to, and the
#                     model, which scores collected inputs that were logged without predictions
#   <out>/collected/  the inputs the live deployment's data collector logged (model_inputs)
# Then: drift --current <out>/collected --reference <out>/model/baseline.json
# Usage: tools/drift_inputs.sh <endpoint> <serving-model-name> <out-dir>
set -euo pipefail
if [ "$#" -ne 3 ] || [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ]; then
  echo "usage: $0 <endpoint> <serving-model-name> <out-dir> (the endpoint: pulumi stack output onlineEndpointName)" >&2
  exit 2
fi
endpoint=$1 model=$2 out=$3
"$(dirname "$0")/az_extension.sh" ml
# The live deployment is the one with the largest traffic share (as in the rollout).
live=$(az ml online-endpoint show --name "$endpoint" --query traffic -o json | python3 -c '
import json, sys
traffic = json.load(sys.stdin) or {}
busiest = max(traffic, key=traffic.get, default=None)
print(busiest if busiest is not None and traffic[busiest] > 0 else "")')
[ -n "$live" ] || { echo "$endpoint serves no traffic: nothing to check" >&2; exit 2; }
# azureml:<name>:<version> or an ARM id ending in /versions/<version>
model_id=$(az ml online-deployment show --endpoint-name "$endpoint" --name "$live" --query model -o tsv)
version=${model_id##*[:/]}
rm -rf "$out" && mkdir -p "$out"
az ml model download --name "$model" --version "$version" --download-path "$out/download"
baseline=$(find "$out/download" -name baseline.json -print -quit)
if [ -z "$baseline" ]; then
  echo "$model:$version has no baseline.json: retrain and roll out a newer version" >&2
  exit 2
fi
folder=$(dirname "$baseline")
for file in contract.yaml model_card.json; do
  if [ ! -f "$folder/$file" ]; then
    echo "$model:$version has no $file beside its baseline.json: package, register and roll out a newer version" >&2
    exit 2
  fi
done
mv "$folder" "$out/model" && rm -rf "$out/download"
az ml data download --name "$endpoint-$live-model_inputs" --label latest \
  --download-path "$out/collected"
echo "$endpoint/$live serves $model:$version; its model folder and the collected inputs are in $out"

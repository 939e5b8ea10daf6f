#!/usr/bin/env bash
# The release's scoring image in one stack's registry, made the same way by both CI providers
# (`az` logged in, `make setup` done, IMAGE_REPOSITORY set):
#   - without a scanned image (the release's first environment, dev): build it with
#     tools/build_image.sh (the approved base by digest, packages from the feed's view only);
#   - with the image an earlier environment scanned: import that very digest into this stack's
#     registry (`promote-image`: az acr import, the registry must report the same digest), so
#     staging and prod run the bytes dev built and scanned, never a rebuild.
# Either way the caller scans the result with Trivy before anything runs it.
# Usage: tools/release_image.sh <workspace> <resource-group> <tag> [<scanned image> <its registry's resource ID>]
# Prints registry=, registry_id=, digest= and image= lines (for $GITHUB_OUTPUT or ##vso variables).
set -euo pipefail
usage="usage: $0 <workspace> <resource-group> <tag> [<scanned image> <its registry's resource ID>]"
if [ "$#" -ne 3 ] && [ "$#" -ne 5 ]; then
  echo "$usage" >&2
  exit 2
fi
workspace=$1 resource_group=$2 tag=$3 source_image=${4:-} source_registry_id=${5:-}
repository=${IMAGE_REPOSITORY:?IMAGE_REPOSITORY (the scoring image repository) is required}
python=${PYTHON:-.venv/bin/python}
registry_id=$(az ml workspace show --name "$workspace" --resource-group "$resource_group" \
  --query container_registry --output tsv)
registry=${registry_id##*/}
if [ "$#" -eq 3 ]; then
  tools/build_image.sh "$registry" "$repository:$tag" >&2 # the build log is not an output
  digest=$(az acr repository show --name "$registry" --image "$repository:$tag" \
    --query digest --output tsv)
  server=$(az acr show --name "$registry" --query loginServer --output tsv)
  image="$server/$repository@$digest"
else
  image=$("$python" -m {{ cookiecutter.package_name }} promote-image --image "$source_image" \
    --source-registry-id "$source_registry_id" --registry "$registry")
  digest=${image##*@}
fi
if ! [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "no digest for $repository:$tag in $registry (got '$digest'): nothing to scan or deploy" >&2
  exit 1
fi
printf 'registry=%s\nregistry_id=%s\ndigest=%s\nimage=%s\n' "$registry" "$registry_id" "$digest" "$image"

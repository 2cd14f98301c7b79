#!/usr/bin/env bash
# Regenerates the golden TBS files of pkix (deterministic: fixed keys,
# serials and times). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/../../pkix"
go test -run '^TestGoldenTBS$' -count=1 . -args -update

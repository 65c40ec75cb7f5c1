#!/usr/bin/env bash
# Runs every test of storesync. Needs Go and a C compiler (the SQLite driver
# uses cgo).
set -euo pipefail
cd "$(dirname "$0")/.."

export CGO_ENABLED=1
go vet ./...
go test -count=1 ./... "$@"

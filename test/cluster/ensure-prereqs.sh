#!/usr/bin/env bash
# Prerequisites of the integration-test control plane (test/cluster/) on a Debian
# machine: openssl (certificates) and Go >= 1.26 (builds etcd, Kubernetes, kwok
# from the Go module proxy; see test/cluster/build.ts). kubectl is not needed:
# the harness builds the pinned one.
#
# Idempotent and quick when everything is present: apt runs only for what is missing.
set -euo pipefail

MIN_GO_MAJOR=1
MIN_GO_MINOR=26

log() { echo "[ensure-prereqs] $*"; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  # Update the package lists once per run, and only when something is missing.
  if [ -z "${APT_UPDATED:-}" ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

# openssl: signs the CA, apiserver serving cert and client certs.
if command -v openssl >/dev/null 2>&1; then
  log "openssl: $(openssl version)"
else
  log "openssl missing: installing"
  apt_install openssl
  log "openssl: $(openssl version)"
fi

# pgrep (procps): the smoke test uses it to prove no process outlives stop().
if ! command -v pgrep >/dev/null 2>&1; then
  log "pgrep missing: installing procps"
  apt_install procps
fi

# Go: not installed from apt on purpose, Debian's golang package is far too old
# (bookworm: 1.19). /usr/local/go is where the official tarball installs.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
  log "go found at /usr/local/go/bin (not on PATH: add it)"
fi
if ! command -v go >/dev/null 2>&1; then
  log "ERROR: Go >= ${MIN_GO_MAJOR}.${MIN_GO_MINOR} is required to build the test control plane and is not on PATH."
  log "       Install it from https://go.dev/dl/ (apt's golang package is too old)."
  exit 1
fi
GOVERSION="$(go env GOVERSION)"
ver="${GOVERSION#go}"
major="${ver%%.*}"
rest="${ver#*.}"
minor="${rest%%[!0-9]*}"
if [ "$major" -lt "$MIN_GO_MAJOR" ] || { [ "$major" -eq "$MIN_GO_MAJOR" ] && [ "$minor" -lt "$MIN_GO_MINOR" ]; }; then
  log "ERROR: found ${GOVERSION}, need Go >= ${MIN_GO_MAJOR}.${MIN_GO_MINOR} (install it from https://go.dev/dl/)."
  exit 1
fi
log "go: ${GOVERSION} ($(command -v go)), GOPROXY=$(go env GOPROXY)"
log "all prerequisites present"

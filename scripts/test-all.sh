#!/usr/bin/env bash
# Runs every test of vmlifecycle on a fresh machine: installs the build tools, sets up a real libvirtd
# with QEMU, builds the guest fixture, runs the whole Maven build with all tests and installs the published
# artifacts in the local Maven repository, then builds and runs the consumer project (consumer/: the
# README's quick start on the class path and on the module path, against the installed artifacts only).
# Usage: scripts/test-all.sh [extra mvn arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-build-deps.sh
if [ -f .ci/libvirt-setup.sh ]; then
  bash .ci/libvirt-setup.sh
fi
fixture="${VMLIFE_GUEST_FIXTURE:-$PWD/libvirt-driver/target/guest-fixture}"
if [ -f .ci/guest-fixture.sh ]; then
  bash .ci/guest-fixture.sh "$fixture"
  export VMLIFE_GUEST_FIXTURE="$fixture"
fi

# This script set libvirtd up, so its tests may kill and restart it (LibvirtdRestartE2ETest).
export VMLIFE_ALLOW_LIBVIRTD_RESTART=1
mvn -B -ntp install "$@"
mvn -B -ntp -f consumer/pom.xml verify

#!/usr/bin/env bash
# Installs what building and unit-testing vmlifecycle needs on a fresh Debian/Ubuntu machine:
# a JDK 17, Maven, and libvirt's schema validator (virt-xml-validate, for the rescue XML tests).
# Idempotent and quick when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v virt-xml-validate >/dev/null 2>&1 || missing+=(libvirt-clients)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

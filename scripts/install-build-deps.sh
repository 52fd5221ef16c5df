#!/usr/bin/env bash
# Installs what building and unit-testing vmlifecycle needs on a fresh Debian/Ubuntu machine:
# a JDK 17, Maven, and libvirt's schema validator (virt-xml-validate, for the rescue XML tests).
# With --build, only what building needs (a JDK 17 and Maven), as ./vmlife asks for.
# Idempotent and quick when everything is present. Needs root (or sudo) only when something is missing;
# without root, sudo or apt-get it says what to install and fails.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "${1:-}" != "--build" ]; then
  command -v virt-xml-validate >/dev/null 2>&1 || missing+=(libvirt-clients)
  command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${missing[*]} (Debian/Ubuntu package names; a JDK 17+ and Maven 3.8+ on other systems)." >&2
    echo "Install them, e.g. as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  [ "$SUDO" = "" ] || SUDO="sudo"
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

#!/usr/bin/env bash
# Prepares a Debian 12 machine (run as root, as CI does) to run the libvirt driver's end-to-end tests:
# installs libvirt + QEMU, configures QEMU to run guests as root without a security driver or cgroups
# (containers have neither), starts virtlogd and libvirtd, and waits until qemu:///system answers.
# Idempotent: a second run changes nothing and takes well under a second.
set -euo pipefail

PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt0 qemu-system-x86 qemu-utils
  libxml2-utils busybox-static cpio xz-utils binutils)
WAIT_SECONDS="${LIBVIRT_SETUP_WAIT_SECONDS:-60}"

log() { echo "libvirt-setup: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root"; exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

getent group kvm >/dev/null || groupadd --system kvm
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null || \
  useradd --system --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin \
    -g libvirt-qemu -G kvm libvirt-qemu

mkdir -p /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu/save /var/lib/libvirt/images \
  /var/cache/libvirt /etc/libvirt

CONF=/etc/libvirt/qemu.conf
want() { grep -Eq "^[[:space:]]*$1[[:space:]]*=[[:space:]]*$2[[:space:]]*$" "$CONF" 2>/dev/null; }
if ! { want user '"root"' && want group '"root"' && want security_driver '"none"' \
       && want cgroup_controllers '\[ *\]'; }; then
  log "writing $CONF"
  tmp="$(mktemp)"
  if [ -f "$CONF" ]; then
    grep -Ev '^[[:space:]]*(user|group|security_driver|cgroup_controllers)[[:space:]]*=' "$CONF" > "$tmp" || true
  fi
  cat >> "$tmp" <<'CONFEOF'
# written by .ci/libvirt-setup.sh (vmlifecycle)
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
CONFEOF
  install -m 0644 "$tmp" "$CONF"
  rm -f "$tmp"
  if pgrep -x libvirtd >/dev/null; then
    log "restarting libvirtd to apply $CONF"
    kill "$(pgrep -x libvirtd)"
    for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
fi

pgrep -x virtlogd >/dev/null || { log "starting virtlogd"; virtlogd -d; }
pgrep -x libvirtd >/dev/null || { log "starting libvirtd"; libvirtd -d; }

deadline=$(( $(date +%s) + WAIT_SECONDS ))
until virsh -q -c qemu:///system version >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "libvirtd did not answer on qemu:///system within ${WAIT_SECONDS}s"
    virsh -c qemu:///system version || true
    exit 1
  fi
  sleep 0.2
done
log "qemu:///system is ready ($(virsh -c qemu:///system version 2>/dev/null | grep -i 'running hypervisor' || true))"

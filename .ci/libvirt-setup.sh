#!/usr/bin/env bash
# Prepares a Debian 12 machine (run as root, as CI does) to run the libvirt driver's end-to-end tests:
# installs libvirt + QEMU, configures QEMU to run guests as root without a security driver or cgroups
# (containers have neither), makes libvirtd also listen for unauthenticated TCP on 127.0.0.1 only (for
# the remote-URI tests on qemu+tcp://127.0.0.1/system), starts virtlogd and libvirtd (-l), and waits
# until both qemu:///system and qemu+tcp://127.0.0.1/system answer. A libvirtd already running without
# TCP or with an older configuration is restarted once (running guests survive a restart).
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

restart="" # why a running libvirtd must be restarted, if it must
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
  restart="$CONF changed"
fi

# libvirtd listens on TCP, loopback only, without authentication: the remote-URI tests connect to
# qemu+tcp://127.0.0.1/system. Nothing but 127.0.0.1 is ever bound.
DCONF=/etc/libvirt/libvirtd.conf
dwant() { grep -Eq "^[[:space:]]*$1[[:space:]]*=[[:space:]]*$2[[:space:]]*$" "$DCONF" 2>/dev/null; }
if ! { dwant listen_tls 0 && dwant listen_tcp 1 && dwant listen_addr '"127\.0\.0\.1"' \
       && dwant auth_tcp '"none"'; }; then
  log "writing $DCONF"
  tmp="$(mktemp)"
  if [ -f "$DCONF" ]; then
    grep -Ev '^[[:space:]]*(listen_tls|listen_tcp|listen_addr|auth_tcp)[[:space:]]*=' "$DCONF" > "$tmp" || true
  fi
  cat >> "$tmp" <<'CONFEOF'
# written by .ci/libvirt-setup.sh (vmlifecycle): TCP on loopback only, for qemu+tcp://127.0.0.1/system
listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
auth_tcp = "none"
CONFEOF
  install -m 0644 "$tmp" "$DCONF"
  rm -f "$tmp"
  restart="${restart:+$restart, }$DCONF changed"
fi

# Whether the running libvirtd was started with -l/--listen (its command line, NUL-separated).
listening() {
  local pid="$1"
  tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -Eq '^(--listen|-[a-zA-Z]*l[a-zA-Z]*)$'
}

pid="$(pgrep -x libvirtd | head -n 1 || true)"
if [ -n "$pid" ] && [ -z "${restart:-}" ] && ! listening "$pid"; then
  restart="libvirtd runs without --listen"
fi
if [ -n "$pid" ] && [ -n "${restart:-}" ]; then
  log "restarting libvirtd ($restart)"
  kill "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "libvirtd (pid $pid) did not stop within 10s"; exit 1
  fi
fi

pgrep -x virtlogd >/dev/null || { log "starting virtlogd"; virtlogd -d; }
pgrep -x libvirtd >/dev/null || { log "starting libvirtd"; libvirtd -d -l; }

deadline=$(( $(date +%s) + WAIT_SECONDS ))
for uri in qemu:///system qemu+tcp://127.0.0.1/system; do
  until virsh -q -c "$uri" version >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "libvirtd did not answer on $uri within ${WAIT_SECONDS}s"
      virsh -c "$uri" version || true
      exit 1
    fi
    sleep 0.2
  done
done
log "qemu:///system and qemu+tcp://127.0.0.1/system are ready" \
  "($(virsh -c qemu:///system version 2>/dev/null | grep -i 'running hypervisor' || true))"

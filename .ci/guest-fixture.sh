#!/usr/bin/env bash
# Builds the tiny guest that the libvirt driver's end-to-end tests boot under QEMU (TCG), from Debian
# packages only: the kernel of linux-image-<version>-cloud-amd64 (downloaded, never installed), its
# virtio/ACPI-button/evdev/pvpanic modules, and busybox-static in a cpio initramfs. Usage:
#
#   .ci/guest-fixture.sh OUTDIR
#
# OUTDIR receives:
#   vmlinuz             the kernel (boot it directly: <os><kernel>, cmdline "console=ttyS0 ...")
#   initrd.img          the normal initramfs
#   initrd-rescue.img   the same init, but it boots in rescue mode (for rescue-kernel tests)
#   disk.raw            an 8 MiB raw disk holding the marker "ORIGINAL" at offset 1 MiB
#   rescue.raw          an 8 MiB raw rescue image holding the marker "RESCUE-IMAGE" at offset 1 MiB
#   kernel-version      the Debian kernel ABI used
#   READY               written last; when it names this script's FIXTURE_VERSION, the script does
#                       nothing (the fixture is cached)
#
# What the guest prints on ttyS0 (one line each, all prefixed "VML-"):
#   VML-BOOT mode=<normal|rescue> id=<boot id>
#   VML-DISK <vdX> serial=<serial or empty>        for each virtio disk, in device order
#   VML-MARK <vdX> <text>                          the NUL-stripped text at offset 1 MiB of each disk
#   VML-WROTE <vdX> <text>                         after writing a marker (see below)
#   VML-READY                                      before the counter starts
#   VML-TICK <n>                                   n = 0, 1, 2 ... about every 0.2 s
#   VML-POWEROFF                                   when the ACPI power button was pressed (a clean
#                                                  shutdown request): the guest syncs and powers off;
#                                                  kernel argument "vmlignoreshutdown" makes it ignore
#                                                  the button (to test forced power-off)
#   VML-SELFPOWEROFF                               kernel argument "vmlpoweroff=N": when the counter
#                                                  reaches N the guest syncs and powers itself off, as
#                                                  if its own user had run "poweroff" (nobody asked)
#   VML-PANIC                                      kernel argument "vmlpanic=N": when the counter
#                                                  reaches N the guest's kernel panics (sysrq "c"); with
#                                                  a pvpanic device (<panic model='isa'/>) QEMU reports
#                                                  it and libvirt applies <on_crash> (preserve: the
#                                                  domain stays "crashed"); without one, "panic=-1"
#                                                  on the command line makes it reboot at once
# Markers: in normal mode, kernel argument "vmlwrite=TEXT" writes TEXT at offset 1 MiB of vda. In
# rescue mode the init writes "RESCUED" at offset 1 MiB of vdb (the instance's own disk attached
# behind the rescue disk), as an operator's repair would.
set -euo pipefail

OUT="${1:?usage: guest-fixture.sh OUTDIR}"
log() { echo "guest-fixture: $*" >&2; }

FIXTURE_VERSION=3 # bump when the guest changes, so that cached fixtures are rebuilt
if [ -f "$OUT/READY" ] && grep -qx "version=$FIXTURE_VERSION" "$OUT/READY"; then
  log "cached in $OUT"; exit 0
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

need=()
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v strings >/dev/null || need+=(binutils)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { log "missing ${need[*]} and not root"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
BUSYBOX=/bin/busybox # from busybox-static: statically linked, so it runs alone in the initramfs

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The kernel image package that the cloud meta-package currently points at.
KPKG="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9].*-cloud-amd64$/ {print $2; exit}')"
if [ -z "$KPKG" ]; then
  [ "$(id -u)" -eq 0 ] && apt-get update -qq
  KPKG="$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9].*-cloud-amd64$/ {print $2; exit}')"
fi
[ -n "$KPKG" ] || { log "cannot find the linux-image-*-cloud-amd64 package"; exit 1; }
KVER="${KPKG#linux-image-}"
log "using $KPKG"
(cd "$WORK" && chmod 777 . && apt-get download -q "$KPKG" >/dev/null 2>&1 || apt-get download "$KPKG")
dpkg -x "$WORK"/"$KPKG"_*.deb "$WORK/k"
MODDIR="$WORK/k/lib/modules/$KVER"

# Resolves module dependencies (depends= in each module's .modinfo) into a load order.
modpath() { # module names use "_", some files "-" (pvpanic-mmio.ko)
  local d="${1//_/-}"
  find "$MODDIR/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
    -o -name "$d.ko" -o -name "$d.ko.xz" -o -name "$d.ko.zst" \) | head -1
}
modfile() { # prints an uncompressed copy's path
  local p; p="$(modpath "$1")"; [ -n "$p" ] || { log "module $1 not found"; exit 1; }
  case "$p" in
    *.xz) xz -dc "$p" > "$WORK/mods/$1.ko" ;;
    *.zst) zstd -qdc "$p" > "$WORK/mods/$1.ko" ;;
    *) cp "$p" "$WORK/mods/$1.ko" ;;
  esac
}
mkdir -p "$WORK/mods"
ORDER=()
declare -A SEEN=()
visit() {
  local m="${1//-/_}"
  [ -n "${SEEN[$m]:-}" ] && return 0
  SEEN[$m]=1
  modfile "$m"
  local deps
  deps="$(strings "$WORK/mods/$m.ko" | sed -n 's/^depends=//p' | head -1)"
  local d
  for d in ${deps//,/ }; do visit "$d"; done
  ORDER+=("$m")
}
for m in virtio_blk virtio_pci button evdev pvpanic_mmio; do visit "$m"; done
log "module order: ${ORDER[*]}"

make_initrd() { # $1 = mode, $2 = output
  local R="$WORK/root-$1"
  mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,lib/modules,etc}
  cp "$BUSYBOX" "$R/bin/busybox"
  ln -sf busybox "$R/bin/sh"
  for m in "${ORDER[@]}"; do cp "$WORK/mods/$m.ko" "$R/lib/modules/"; done
  printf '%s\n' "${ORDER[@]}" > "$R/etc/modules"
  echo "$1" > "$R/etc/vml-mode"
  cat > "$R/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mount -t tmpfs tmpfs /dev
echo 1 > /proc/sys/kernel/printk
MODE=$(cat /etc/vml-mode)
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done
echo "VML-BOOT mode=$MODE id=$(cat /proc/sys/kernel/random/boot_id)"
# Wait (briefly) for the virtio disks to appear.
i=0
while [ $i -lt 50 ] && ! ls /sys/block | grep -q '^vd'; do usleep 100000; i=$((i+1)); done
usleep 200000
mark() { dd if=/dev/$1 bs=512 skip=2048 count=1 2>/dev/null | tr -d '\000\n\r' | head -c 64; }
write_mark() { printf '%s' "$2" | dd of=/dev/$1 bs=512 seek=2048 count=1 conv=sync 2>/dev/null; sync; echo "VML-WROTE $1 $2"; }
for d in $(ls /sys/block | grep '^vd' | sort); do
  echo "VML-DISK $d serial=$(cat /sys/block/$d/serial 2>/dev/null)"
done
for d in $(ls /sys/block | grep '^vd' | sort); do
  echo "VML-MARK $d $(mark $d)"
done
if [ "$MODE" = rescue ]; then
  [ -e /dev/vdb ] && write_mark vdb RESCUED
else
  for arg in $(cat /proc/cmdline); do
    case "$arg" in vmlwrite=*) write_mark vda "${arg#vmlwrite=}" ;; esac
  done
fi
# A clean shutdown request (ACPI power button): sync and power off.
IGNORE_SHUTDOWN=no
for arg in $(cat /proc/cmdline); do [ "$arg" = vmlignoreshutdown ] && IGNORE_SHUTDOWN=yes; done
i=0
while [ $i -lt 20 ] && ! ls /sys/class/input 2>/dev/null | grep -q '^event'; do usleep 100000; i=$((i+1)); done
for e in /sys/class/input/event*; do
  echo "VML-INPUT ${e##*/} $(cat $e/device/name 2>/dev/null)"
  if [ "$IGNORE_SHUTDOWN" = no ] && [ "$(cat $e/device/name 2>/dev/null)" = "Power Button" ]; then
    ev=/dev/input/${e##*/}
    (
      i=0; while [ ! -c $ev ] && [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done
      while true; do
        got=$(dd if=$ev bs=24 count=1 2>/dev/null | wc -c)
        if [ "$got" = 24 ]; then echo "VML-POWEROFF"; sync; poweroff -f; fi
        usleep 200000
      done
    ) &
  fi
done
# Things the guest does by itself, nobody asking: power off, or panic, at a given tick.
POWEROFF_AT=-1
PANIC_AT=-1
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vmlpoweroff=*) POWEROFF_AT="${arg#vmlpoweroff=}" ;;
    vmlpanic=*) PANIC_AT="${arg#vmlpanic=}" ;;
  esac
done
echo "VML-READY"
n=0
while true; do
  echo "VML-TICK $n"
  if [ "$n" = "$POWEROFF_AT" ]; then echo "VML-SELFPOWEROFF"; sync; poweroff -f; fi
  if [ "$n" = "$PANIC_AT" ]; then echo "VML-PANIC"; sync; echo c > /proc/sysrq-trigger; fi
  n=$((n+1))
  usleep 200000
done
INIT
  chmod +x "$R/init"
  (cd "$R" && find . | cpio -o -H newc --quiet | gzip -9) > "$2"
}

cp "$WORK/k/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
make_initrd normal "$OUT/initrd.img"
make_initrd rescue "$OUT/initrd-rescue.img"
make_disk() { truncate -s 8M "$2"; printf '%s' "$1" | dd of="$2" bs=512 seek=2048 conv=notrunc,sync count=1 2>/dev/null; }
rm -f "$OUT/disk.raw" "$OUT/rescue.raw"
make_disk ORIGINAL "$OUT/disk.raw"
make_disk RESCUE-IMAGE "$OUT/rescue.raw"
echo "$KVER" > "$OUT/kernel-version"
{ echo "version=$FIXTURE_VERSION"; echo "built=$(date -u +%FT%TZ)"; echo "kernel=$KVER"; } > "$OUT/READY"
log "built in $OUT (kernel $KVER)"

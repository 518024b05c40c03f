#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh [OUTDIR] - Build the merd test guest into OUTDIR: vmlinuz (a
# readable copy of the installed kernel) and initramfs.cpio.gz (busybox, the
# virtio modules, the static test tools, /init). Reused while its inputs are
# unchanged. OUTDIR: $MERD_GUEST_CACHE, else build/guest in the checkout.
# MERD_GUEST_KVER picks a kernel version; default: the newest in /boot that
# has virtio_net.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-${MERD_GUEST_CACHE:-$top/build/guest}}
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	 virtio_pci failover net_failover virtio_net"
tools="udp_echo_check"

die() { echo "build.sh: $*" >&2; exit 1; }

# pick_kernel() - Print the newest kernel version with a virtio_net module
pick_kernel() {
	local k v best=
	for k in /boot/vmlinuz-*; do
		v=${k#/boot/vmlinuz-}
		compgen -G "/lib/modules/$v/kernel/drivers/net/virtio_net.ko*" \
			>/dev/null && best=$v
	done
	[ -n "$best" ] || die "no /boot/vmlinuz-* with virtio_net (apt-get install linux-image-amd64)"
	printf '%s\n' "$best"
}

# module_copy() - Copy module NAME of kernel KVER to DEST, decompressed
module_copy() {
	local f
	f=$(find "/lib/modules/$2/kernel" -name "$1.ko*" | head -n 1)
	[ -n "$f" ] || die "module $1 not found for kernel $2"
	case $f in
	*.ko.xz)  xz -dc "$f" > "$3" ;;
	*.ko.zst) zstd -qdc "$f" > "$3" ;;
	*.ko.gz)  gzip -dc "$f" > "$3" ;;
	*)        cp "$f" "$3" ;;
	esac
}

kver=${MERD_GUEST_KVER:-$(pick_kernel)}
kernel=/boot/vmlinuz-$kver
busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
[[ $(ldd "$busybox" 2>&1) == *"not a dynamic"* ]] ||
	die "$busybox is not static (apt-get install busybox-static)"
for t in $tools; do
	[ -x "$here/../tools/$t" ] || make -s -C "$here/../tools" >&2
done

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
key=$( { echo "$kver"; cat "$kernel" "$busybox" "$here/build.sh" "$here/init" \
	 "$here/udhcpc.script" "$here/guest-dhcp";
	 for t in $tools; do cat "$here/../tools/$t"; done; } | sha256sum)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$key" ]; then
	exit 0
fi

tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/share/udhcpc,proc,sys,dev,tmp,run,etc/udhcpc,lib/modules,root}
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list-full); do
	[ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
done
for m in $modules; do
	module_copy "$m" "$kver" "$r/lib/modules/$m.ko"
done
install -m 0755 "$here/init" "$r/init"
install -m 0755 "$here/udhcpc.script" "$r/usr/share/udhcpc/default.script"
ln -s /usr/share/udhcpc/default.script "$r/etc/udhcpc/default.script"
install -m 0755 "$here/guest-dhcp" "$r/bin/guest-dhcp"
for t in $tools; do
	install -m 0755 "$here/../tools/$t" "$r/bin/$t"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$r/etc/passwd"
echo "root:x:0:" > "$r/etc/group"
echo "127.0.0.1 localhost" > "$r/etc/hosts"
: > "$r/etc/resolv.conf"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -9n > "$tmp/initramfs.cpio.gz"
cp "$kernel" "$tmp/vmlinuz"
chmod 0644 "$tmp/vmlinuz" "$tmp/initramfs.cpio.gz"
mv -f "$tmp/vmlinuz" "$tmp/initramfs.cpio.gz" "$out/"
echo "$key" > "$out/stamp"
chmod 0755 "$out"
echo "build.sh: guest for kernel $kver in $out" >&2

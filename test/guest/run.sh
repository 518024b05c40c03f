#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh [-s SOCK | -V SOCK | -W WRAPPER] [-t SECS] [-k KERNEL] [-i INITRD] [-o DIR] [-a ARGS] SCRIPT
#
# Boot the merd test guest under qemu (TCG) once: SCRIPT becomes the guest's
# /test.sh (appended to the initramfs as a second cpio archive), its output
# is printed, and run.sh exits with its status. With -s, the guest's eth0 is
# a virtio-net device whose frames go to the stream socket SOCK (merd's).
# With -V, the same device is served by the vhost-user backend on SOCK
# (merd --vhost-user): guest RAM is a shared memfd, and the device has no
# MSI-X vectors (vectors=0: qemu 7.2 crashes under TCG otherwise).
# With -W, qemu runs under WRAPPER (words: a command and its options, e.g.
# "merd-qemu --merd PATH -t 8080:80"), which adds the netdev itself; the
# device gets romfile= (no option ROM in the test guest).
# Without -s or -W the guest has no network device. -a adds ARGS to the kernel
# command line (e.g. ipv6.disable=1).
#   DIR/console.log  the serial console (kernel, /init)
#   DIR/results.txt  what SCRIPT printed, between MERD-GUEST-START and
#                    MERD-GUEST-END rc=N lines
# MERD_GUEST_ACCEL: qemu accelerator (default tcg: KVM hangs on this kind of host).
# Exit: SCRIPT's status; 124 if qemu ran past SECS (default 240); 125 if the
# guest ended without reporting.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MERD_GUEST_CACHE:-$here/../../build/guest}
sock= vhost= wrap= secs=240 kernel= initrd= dir= append=

die() { echo "run.sh: $*" >&2; exit 2; }

while getopts "s:V:W:t:k:i:o:a:" o; do
	case $o in
	s) sock=$OPTARG ;;
	V) vhost=$OPTARG ;;
	W) wrap=$OPTARG ;;
	t) secs=$OPTARG ;;
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	o) dir=$OPTARG ;;
	a) append=$OPTARG ;;
	*) die "usage: run.sh [-s SOCK | -V SOCK | -W WRAPPER] [-t SECS] [-k KERNEL] [-i INITRD] [-o DIR] [-a ARGS] SCRIPT" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -r "$1" ] || die "need one readable SCRIPT"
kernel=${kernel:-$cache/vmlinuz}
initrd=${initrd:-$cache/initramfs.cpio.gz}
[ -r "$kernel" ] && [ -r "$initrd" ] || die "no guest in $cache: run test/guest/build.sh"
[ -n "$dir" ] || dir=$(mktemp -d "${TMPDIR:-/tmp}/merd-guest.XXXXXX")
mkdir -p "$dir/extra"

install -m 0755 "$1" "$dir/extra/test.sh"
{
	cat "$initrd"
	(cd "$dir/extra" && echo test.sh | cpio -o -H newc -R 0:0 --quiet) | gzip -n
} > "$dir/initrd.img"
rm -f "$dir/console.log" "$dir/results.raw" "$dir/results.txt"

net=()
[ -z "$sock" ] || net=(-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$sock"
		       -device "virtio-net-pci,netdev=n0,romfile=")
[ -z "$vhost" ] || net=(-object memory-backend-memfd,id=mem,size=256M,share=on
			-machine memory-backend=mem
			-chardev "socket,id=c0,path=$vhost"
			-netdev vhost-user,id=n0,chardev=c0
			-device "virtio-net-pci,netdev=n0,romfile=,vectors=0")
wrapper=()
if [ -n "$wrap" ]; then
	read -ra wrapper <<<"$wrap"
	wrapper+=(--device "virtio-net-pci,romfile=" --)
fi
start=$SECONDS
rc=0
timeout -k 5 "$secs" "${wrapper[@]}" qemu-system-x86_64 -accel "${MERD_GUEST_ACCEL:-tcg}" -machine q35 -m 256 \
	-nographic -nodefaults -no-reboot -monitor none \
	-kernel "$kernel" -initrd "$dir/initrd.img" \
	-append "console=ttyS0 panic=-1 quiet${append:+ $append}" \
	-serial "file:$dir/console.log" -serial "file:$dir/results.raw" \
	"${net[@]}" </dev/null || rc=$?
tr -d '\r' < "$dir/results.raw" > "$dir/results.txt" 2>/dev/null || :
cat "$dir/results.txt"
echo "run.sh: guest ran $((SECONDS - start)) s, qemu status $rc, logs in $dir" >&2
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "run.sh: guest timed out after $secs s" >&2
	exit 124
fi
end=$(sed -n 's/^MERD-GUEST-END rc=\([0-9]*\)$/\1/p' "$dir/results.txt")
if [ -z "$end" ]; then
	echo "run.sh: guest ended without reporting; console:" >&2
	tail -n 30 "$dir/console.log" >&2 || :
	exit 125
fi
exit "$end"

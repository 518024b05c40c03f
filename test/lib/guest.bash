# SPDX-License-Identifier: GPL-2.0-or-later
# guest.bash - Boot the busybox test guest under qemu (TCG) as the test user,
# sourced after world.bash. The guest image is built once per test run into
# $MERD_GUEST_CACHE (default: build/guest in the checkout) by test/guest/
# build.sh, and copied into the world where the test user can read it.
#
# Inside the guest: busybox, the world's tools ($WORLD_TOOLS: udp_echo_check,
# tcp_xfer), guest-dhcp (udhcpc, applies the lease and prints it as ip= mask=
# router= dns= mtu= lines).

GUEST_TIMEOUT=${GUEST_TIMEOUT:-240}

# guest_prepare() - Build the guest if needed; copy it into the world
guest_prepare() {
	local cache=${MERD_GUEST_CACHE:-$WORLD_LIB/../../build/guest} t
	[ -r "$WORLD_DIR/guest/vmlinuz" ] && return 0
	"$WORLD_LIB/../guest/build.sh" "$cache" || return 1
	mkdir -p "$WORLD_DIR/guest/tools/bin"
	install -m 0644 "$cache/vmlinuz" "$cache/initramfs.cpio.gz" "$WORLD_DIR/guest/"
	# the world's tools too, in /bin: a second archive appended to the first
	for t in $WORLD_TOOLS; do
		install -m 0755 "$WORLD_BIN/$t" "$WORLD_DIR/guest/tools/bin/" || return 1
	done
	(cd "$WORLD_DIR/guest/tools" && find bin -type f | cpio -o -H newc -R 0:0 --quiet) |
		gzip -n >>"$WORLD_DIR/guest/initramfs.cpio.gz" || return 1
	rm -rf "$WORLD_DIR/guest/tools"
	chmod 0755 "$WORLD_DIR/guest"
}

# guest_boot() - Boot the guest once, connected to SOCK ("" for no network),
# running SCRIPT_TEXT as /test.sh. Prints what the script printed; returns
# its exit status (124: timeout, 125: no report). Sets GUEST_OUT (the
# directory with console.log and results.txt) and GUEST_RESULTS.
# GUEST_APPEND: more kernel command line (e.g. ipv6.disable=1).
# GUEST_VHOST: non-empty: SOCK is a vhost-user backend's (merd --vhost-user).
# GUEST_WRAPPER: words of a command qemu runs under (run.sh -W), which
# brings the network itself (SOCK is then "").
guest_boot() {
	local sock=$1 n net=-s
	guest_prepare || return 1
	n=$(find "$WORLD_DIR/run" -maxdepth 1 -name 'guest-*' | wc -l)
	GUEST_OUT=$WORLD_DIR/run/guest-$n
	GUEST_RESULTS=$GUEST_OUT/results.txt
	mkdir -p "$GUEST_OUT"
	printf '%s\n' "$2" >"$GUEST_OUT/test.sh"
	chown -R "$MERD_TEST_USER:" "$GUEST_OUT"
	[ -z "${GUEST_VHOST:-}" ] || net=-V
	as_user "$WORLD_BIN/guest-run" ${sock:+$net "$sock"} -t "$GUEST_TIMEOUT" \
		${GUEST_WRAPPER:+-W "$GUEST_WRAPPER"} \
		${GUEST_APPEND:+-a "$GUEST_APPEND"} \
		-k "$WORLD_DIR/guest/vmlinuz" -i "$WORLD_DIR/guest/initramfs.cpio.gz" \
		-o "$GUEST_OUT" "$GUEST_OUT/test.sh" 3>&-
}

# guest_result() - Print the value of "KEY=value" lines the guest printed
guest_result() {
	sed -n "s/^$1=//p" "${2:-$GUEST_RESULTS}"
}

# SPDX-License-Identifier: GPL-2.0-or-later
# podman.bash - Rootless podman 4 (Debian's) in the test world, sourced after
# world.bash by the suites that run it (podman.bats, oci_hook.bats), which
# need fwd_peer among the world's tools.
#
# podman runs as the test user, with runc, cgroupfs, vfs storage and its
# state under the world's directory. It runs in the "host" network
# namespace but in the machine's mount namespace (ip netns exec would hide
# the cgroup mounts runc needs), with the world's resolv.conf bound over
# /etc/resolv.conf in a private mount namespace. The image,
# localhost/merd-test-box, is made by "podman import" of a directory with
# busybox and the world's tools: no registry is ever asked.

# podman_xdg() - Print the test user's XDG_RUNTIME_DIR for podman: short,
# since podman puts sockets there (slirp4netns's API socket is named after
# the 64-digit container ID, and socket paths hold at most 107 bytes)
podman_xdg() {
	echo "/tmp/merd-xdg-$WORLD_ID"
}

# podman_user() - Run podman ARGS... as the test user in "host" (see above);
# PODMAN_ARGS: global options put first (e.g. --network-cmd-path)
podman_user() {
	local home=$WORLD_DIR/home
	user_argv env XDG_RUNTIME_DIR="$(podman_xdg)" \
		podman --root "$home/pod/root" --runroot "$home/pod/run" \
		--storage-driver vfs --cgroup-manager cgroupfs --runtime runc \
		--events-backend file ${PODMAN_ARGS[@]+"${PODMAN_ARGS[@]}"} "$@"
	# USER_ARGV starts with "ip netns exec NS": keep what follows
	(cd "$WORLD_DIR" && exec nsenter --net="/run/netns/$HOST_NS" unshare -m \
		sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"/etc/netns/$HOST_NS/resolv.conf" "${USER_ARGV[@]:4}")
}

# podman_image() - Import localhost/merd-test-box: busybox and the tools
podman_image() {
	local img=$WORLD_DIR/run/box a
	mkdir -p "$img/bin" "$img/etc" "$img/tmp" "$(podman_xdg)"
	install -m 0755 "$(command -v busybox)" "$WORLD_BIN/tcp_xfer" \
		"$WORLD_BIN/fwd_peer" "$img/bin/"
	for a in sh nslookup cat ip nc echo sleep; do
		ln -s busybox "$img/bin/$a"
	done
	chown -R "$MERD_TEST_USER:" "$WORLD_DIR/home" "$img" "$(podman_xdg)"
	chmod 0700 "$(podman_xdg)"
	tar -C "$img" -c . | podman_user import - localhost/merd-test-box \
		>"$WORLD_DIR/log/podman-import.log" 2>&1 ||
		world_fail "podman import: $(tail -n 5 "$WORLD_DIR/log/podman-import.log")"
}

# podman_stop_pause() - Stop the test user's podman pause process, if any,
# and remove its runtime directory
podman_stop_pause() {
	local f
	f=$(podman_xdg)/libpod/tmp/pause.pid
	[ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	rm -rf "$(podman_xdg)"
	return 0
}

# SPDX-License-Identifier: GPL-2.0-or-later
# tcp.bash - Helpers of the TCP suites, sourced after world.bash: the TCP
# peer in "inet" and the checks that compare its log with what tcp_xfer
# (test/tools/tcp_xfer.c) printed on the guest's side.
#
#   inet  203.0.113.2:5000, [2001:db8:2::2]:5000  tcp-peer.py (sink, source,
#         echo, half-close and reset services; log in log/tcp-peer.log)
#         203.0.113.2:5001                        closed: refused

# shellcheck disable=SC2034 # used by the suites
TCP_PEER=203.0.113.2 TCP_PORT=5000 TCP_CLOSED_PORT=5001

# tcp_peer_start() - Start the TCP peer in "inet" (from world_extra_peers)
tcp_peer_start() {
	world_peer_start tcp-peer "$INET_NS" "$WORLD_BIN/tcp-peer.py" \
		--port "$TCP_PORT" "$TCP_PEER" 2001:db8:2::2
}

# tcp_peer_line() - Print the peer's final log line for connection ID,
# waiting up to SECS (default 10) for it to appear
tcp_peer_line() {
	local id=$1 secs=${2:-10} log=$WORLD_DIR/log/tcp-peer.log
	_wait_for "$secs" grep -q "^$id [a-z]* .* status=" "$log"
	grep "^$id [a-z]* .* status=" "$log" | tail -n 1
}

# kv() - Print the value of the first KEY=value word of LINE
kv() {
	awk -v k="$1=" '{ for (i = 1; i <= NF; i++)
				if (index($i, k) == 1) { print substr($i, length(k) + 1); exit }
			}' <<<"$2"
}

# tcp_check_down() - Check a download: guest line GUEST (from tcp_xfer down)
# against the peer's log for the same ID: same byte count and SHA-256
tcp_check_down() {
	local id=${1%% *} peer
	peer=$(tcp_peer_line "$id")
	echo "guest: $1"
	echo "peer:  $peer"
	[ "$(kv status "$peer")" = ok ]
	[ "$(kv result "$1")" = OK ]
	[ "$(kv received "$1")" = "$(kv sent "$peer")" ]
	[ "$(kv sha256 "$1")" = "$(kv sent_sha256 "$peer")" ]
}

# tcp_check_up() - Check an upload: guest line GUEST (from tcp_xfer up)
# against the peer's log: same byte count and SHA-256 on both ends
tcp_check_up() {
	local id=${1%% *} peer
	peer=$(tcp_peer_line "$id")
	echo "guest: $1"
	echo "peer:  $peer"
	[ "$(kv status "$peer")" = ok ]
	[ "$(kv sent "$1")" = "$(kv received "$peer")" ]
	[ "$(kv sha256 "$1")" = "$(kv received_sha256 "$peer")" ]
	[[ $1 == *" reply=\"sink bytes=$(kv sent "$1") sha256=$(kv sha256 "$1")\""* ]]
}

# tcp_check_halfclose() - Check "guest shuts first": the peer got all the
# guest sent before it shut its side, the guest all of the peer's reply
tcp_check_halfclose() {
	local id=${1%% *} peer
	peer=$(tcp_peer_line "$id")
	echo "guest: $1"
	echo "peer:  $peer"
	[ "$(kv status "$peer")" = ok ]
	[ "$(kv result "$1")" = OK ]
	[ "$(kv sent "$1")" = "$(kv received "$peer")" ]
	[ "$(kv sha256 "$1")" = "$(kv received_sha256 "$peer")" ]
	[ "$(kv received "$1")" = "$2" ]
	[ "$(kv received_sha256 "$1")" = "$(kv sent_sha256 "$peer")" ]
}

# tcp_check_peershut() - Check "peer shuts first": the guest got all the
# peer sent before its FIN (DOWN bytes), the peer all the guest sent after
tcp_check_peershut() {
	local id=${1%% *} peer
	peer=$(tcp_peer_line "$id")
	echo "guest: $1"
	echo "peer:  $peer"
	grep "^$id shutfirst shut write side" "$WORLD_DIR/log/tcp-peer.log"
	[ "$(kv status "$peer")" = ok ]
	[ "$(kv result "$1")" = OK ]
	[ "$(kv send_result "$1")" = OK ]
	[ "$(kv received "$1")" = "$2" ]
	[ "$(kv received "$1")" = "$(kv sent "$peer")" ]
	[ "$(kv sha256 "$1")" = "$(kv sent_sha256 "$peer")" ]
	[ "$(kv sent "$1")" = "$3" ]
	[ "$(kv sent "$1")" = "$(kv received "$peer")" ]
	[ "$(kv sent_sha256 "$1")" = "$(kv received_sha256 "$peer")" ]
}

# tcp_check_badinput() - Check the OUTPUT of tcp-badinput.py: every case
# passed, and its downloads match the peer's log
tcp_check_badinput() {
	local c
	for c in bare_ack synfin synrst doff_short doff_long wscale200 retransmit \
		 syn_payload live_doff_short live_doff_long seq_far rst_far \
		 syn_live dup_old ooo ack_unsent live after; do
		grep -q "^case $c: ok " <<<"$1"
	done
	[ "$(grep -c '^case ' <<<"$1")" -eq 18 ]
	tcp_check_down "$(grep '^wscale200 down ' <<<"$1")"
	tcp_check_down "$(grep '^retransmit down ' <<<"$1")"
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation: merd terminates the guest's TCP, a host socket
 * carries the byte stream
 *
 * Theory of operation
 *
 * A connection accepted on a forwarded port (fwd.c) makes merd send the
 * guest a SYN (TCPS_SYN_SENT); the guest's SYN-ACK establishes the flow, its
 * RST resets the host client.
 *
 * The guest's SYN creates a flow and a non-blocking SOCK_STREAM socket
 * connecting to the destination (TCPS_CONNECTING). Only when the connect
 * succeeds does the guest get a SYN-ACK (TCPS_SYN_ACK_SENT); a refusal gets
 * it a RST, an unreachable network an ICMP error, a connect that does not
 * finish in --tcp-syn-timeout a RST. The guest's ACK of the SYN-ACK makes
 * the flow TCPS_ESTABLISHED; from there the FIN flags say which halves are
 * closed, and the flow ends when both FINs are acknowledged, on a RST from
 * either end, or after its idle timeout.
 *
 * Guest to host: the in-order payload of a run of a flow's segments is
 * gathered, where the frames lie in the link's receive buffer, and written
 * to the socket in one call: when a segment of another flow comes, before
 * the link reuses its buffer, and at the end of the batch, before the ACKs
 * (tcp_rx_flush()). Until then rcv_nxt stays where the socket is, so no
 * segment toward the guest acknowledges a byte not written; the next
 * sequence number expected is rcv_nxt plus what is gathered. What the
 * socket does not take is not acknowledged, and the guest sends it
 * again. A segment that comes past a gap (one lost on the way) is held in
 * a slot of tcp_ooo.c, within fixed bounds, and reported with SACK blocks
 * where the guest agreed to SACK (else each one gets a duplicate ACK at
 * once): the guest sends only what was lost, and the held data follows it
 * into the socket. What finds no room is dropped, and sent again. The
 * window advertised to the guest is the socket's free send space, counted
 * as the payload it takes in segments of the guest's size (the kernel
 * charges each segment's overhead to the buffer too). ACKs are
 * sent once per batch of frames (tcp_batch_end()), not per segment.
 *
 * Host to guest: data is read with MSG_PEEK, so what the guest has not
 * acknowledged stays in the socket's receive queue, and merd keeps no copy:
 * segments are built in place in the link's transmit queue, many per
 * recvmsg(). SO_PEEK_OFF (Linux 6.9+) makes the kernel skip what is in
 * flight; older kernels get the in-flight bytes peeked into a discard
 * buffer. Acknowledged bytes are dropped with MSG_TRUNC once per batch of
 * guest frames (tcp_batch_end()), not per ACK: that is fewer calls, and
 * fewer window updates toward the host peer. Three
 * duplicate ACKs, or the retransmission timer, rewind to the oldest
 * unacknowledged byte and send again. The guest's window and MSS bound
 * what is in flight and each segment.
 *
 * Host sockets are edge-triggered: each edge is drained as far as the
 * guest's window and the link allow; flows stopped by the link's queue are
 * resumed when it has room again, flows stopped by the window when an ACK
 * opens it.
 *
 * Timers: one deadline per flow in the flow table, the earliest of the
 * retransmission timeout, the keepalive and the state's idle timeout.
 *
 * A guest that goes away without a word (its kernel hung, its link down,
 * qemu stopped) is found by probing: data in flight is retransmitted, a
 * zero window probed, and an established flow on which the guest was silent
 * for TCP_KEEPALIVE_S gets keepalive probes (an ACK for the byte before
 * snd_nxt, which a living TCP answers), all on the retransmission backoff.
 * Any acceptable segment from the guest answers; TCP_MAX_RETRIES probes or
 * retransmissions without an answer (about a minute) reset both sides, so
 * no flow outlives its guest by more than TCP_KEEPALIVE_S plus that minute
 * while the host peer is silent too. Keepalive answers do not count as
 * traffic for the idle timeout.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "eth.h"
#include "flow.h"
#include "fwd.h"
#include "hash.h"
#include "icmp.h"
#include "inany.h"
#include "ip.h"
#include "link.h"
#include "log.h"
#include "merd.h"
#include "target.h"
#include "tcp.h"
#include "tcp_ooo.h"
#include "util.h"

#define TCP_HDR_LEN		20
#define TCP_SYN_OPTS_LEN	12	/* MSS (4) + NOP + window scale (3) +
					 * NOP, NOP, SACK permitted (2) */
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_PSH			0x08
#define TCP_ACK			0x10
#define TCP_GUEST_MSS_DEFAULT		536
#define TCP_GUEST_MSS_MIN	48	/* as Linux's tcp_min_snd_mss */
#define TCP_WSCALE_MAX		14
#define TCP_SEGS_PER_CALL	64
#define TCP_DISCARD_LEN		(16 << 20)
#define TCP_ACCEPT_BUDGET	32
#define TCP_WR_IOV		128	/* guest segments gathered per write */
#define TCP_SKB_OVERHEAD	1024	/* what a queued segment costs the send
					 * buffer beyond its payload, at most */

#define SEQ_LT(a, b)		((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)		((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)		((int32_t)((a) - (b)) > 0)
#define SEQ_GE(a, b)		((int32_t)((a) - (b)) >= 0)

/**
 * struct tcp_seg - A guest segment whose header was checked
 * @seq:	Sequence number
 * @ack:	Acknowledgement number
 * @wnd:	Window field, unscaled
 * @flags:	Control bits
 * @mss:	MSS option, 0 if absent
 * @wscale:	Window scale option, -1 if absent
 * @sack_ok:	SACK permitted option present
 * @data:	Payload, inside the frame
 * @len:	Payload length
 */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;
	uint8_t flags;
	uint16_t mss;
	int wscale;
	bool sack_ok;
	const uint8_t *data;
	size_t len;
};

/**
 * struct tcp_lists - TCP-wide state, kept in a static: lists of flows
 * with work left at the end of a batch
 * @ack_list:	Flows owing the guest an ACK
 * @n_ack:	Entries in @ack_list
 * @tx_list:	Flows waiting for room on the link
 * @n_tx:	Entries in @tx_list
 * @drain_list:	Flows with acknowledged bytes to drop from the socket
 * @n_drain:	Entries in @drain_list
 * @list_max:	Capacity of each list
 * @discard:	Peek target for in-flight bytes without SO_PEEK_OFF
 * @isn_key:	Key for initial sequence numbers
 * @wr_flow:	Flow whose in-order guest payload is gathered in @wr_iov
 * @wr_n:	Pieces in @wr_iov
 * @wr_len:	Bytes in them, 0 if nothing is gathered
 * @wr_iov:	That payload, in the frames of the batch (tcp_rx_flush())
 */
static struct tcp_lists {
	uint32_t *ack_list;
	uint32_t n_ack;
	uint32_t *tx_list;
	uint32_t n_tx;
	uint32_t *drain_list;
	uint32_t n_drain;
	uint32_t list_max;
	uint8_t *discard;
	uint64_t isn_key[2];
	struct flow *wr_flow;
	int wr_n;
	size_t wr_len;
	struct iovec wr_iov[TCP_WR_IOV];
} tcp;

static void tcp_data_to_guest(struct ctx *c, struct flow *f);
static int tcp_drain_acked(struct flow *f, uint32_t bytes);

/**
 * tcp_peek_off_supported() - Probe whether TCP sockets take SO_PEEK_OFF
 *
 * Return: true on Linux 6.9 and later
 */
static bool tcp_peek_off_supported(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), zero = 0;
	bool ok;

	if (s < 0)
		return false;
	ok = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	close(s);
	return ok;
}

/**
 * tcp_init() - Allocate the batch lists, key the ISN generator
 * @c:		Execution context, flow table sized
 *
 * Return: 0 on success, negative errno on failure
 */
int tcp_init(struct ctx *c)
{
	int rc;

	tcp.list_max = c->flows.max * 2;
	tcp.ack_list = calloc(tcp.list_max, sizeof(*tcp.ack_list));
	tcp.tx_list = calloc(tcp.list_max, sizeof(*tcp.tx_list));
	tcp.drain_list = calloc(tcp.list_max, sizeof(*tcp.drain_list));
	if (!tcp.ack_list || !tcp.tx_list || !tcp.drain_list)
		return -ENOMEM;
	if (!tcp_peek_off_supported()) {
		tcp.discard = malloc(TCP_DISCARD_LEN);
		if (!tcp.discard)
			return -ENOMEM;
	}
	rc = tcp_ooo_init();
	if (rc)
		return rc;
	return hash_random_key(tcp.isn_key);
}

/**
 * tcp_lists_bytes() - Memory of the batch lists (for the documented bound)
 *
 * Return: bytes allocated for the three lists, after tcp_init()
 */
size_t tcp_lists_bytes(void)
{
	return 3 * (size_t)tcp.list_max * sizeof(*tcp.ack_list);
}

/**
 * tcp_isn() - Initial sequence number for a new connection (RFC 6528)
 * @c:		Execution context
 * @key:	Flow key
 *
 * Return: keyed hash of the connection's addresses and ports plus a clock
 * ticking every 4 microseconds
 */
static uint32_t tcp_isn(const struct ctx *c, const struct flow_key *key)
{
	struct timespec ts;
	uint64_t ticks;

	(void)c;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ticks = ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000) / 4;
	return (uint32_t)siphash(tcp.isn_key, key, sizeof(*key)) +
	       (uint32_t)ticks;
}

/**
 * tcp_parse() - Check a TCP header and its options
 * @c:		Execution context, for drop counters
 * @pkt:	Checked IP packet with protocol TCP
 * @seg:	View to fill
 *
 * Return: 0 if sound, -1 if dropped (counted)
 */
static int tcp_parse(struct ctx *c, const struct ip_pkt *pkt,
		     struct tcp_seg *seg)
{
	const uint8_t *th = pkt->l4;
	size_t doff, i;

	if (pkt->l4_len < TCP_HDR_LEN) {
		count_drop(c, CNT_drop_tcp_short);
		return -1;
	}
	doff = (size_t)(th[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > pkt->l4_len) {
		count_drop(c, CNT_drop_tcp_doff);
		return -1;
	}
	seg->seq = rd32(th + 4);
	seg->ack = rd32(th + 8);
	seg->flags = th[13] & 0x3f;
	seg->wnd = rd16(th + 14);
	seg->mss = 0;
	seg->wscale = -1;
	seg->sack_ok = false;
	seg->data = th + doff;
	seg->len = pkt->l4_len - doff;

	for (i = TCP_HDR_LEN; i < doff;) {
		uint8_t kind = th[i], olen;

		if (kind == 0)			/* end of options */
			break;
		if (kind == 1) {		/* NOP */
			i++;
			continue;
		}
		if (i + 2 > doff || (olen = th[i + 1]) < 2 || i + olen > doff)
			break;			/* malformed: ignore the rest */
		if (kind == 2 && olen == 4)
			seg->mss = rd16(th + i + 2);
		else if (kind == 3 && olen == 3)
			seg->wscale = MIN(th[i + 2], TCP_WSCALE_MAX);
		else if (kind == 4 && olen == 2)
			seg->sack_ok = true;
		i += olen;
	}
	return 0;
}

/**
 * tcp_mss_max() - Largest payload per segment the link carries
 * @c:		Execution context
 * @v6:		IPv6 flow
 *
 * Return: MTU less IP and TCP headers
 */
static uint16_t tcp_mss_max(const struct ctx *c, bool v6)
{
	return (uint16_t)(c->conf.mtu - (v6 ? IP6_HDR_LEN : IP4_HDR_LEN) -
			  TCP_HDR_LEN);
}

/**
 * tcp_v6() - Tell whether a flow is IPv6
 * @f:		Flow
 *
 * Return: true for IPv6
 */
static bool tcp_v6(const struct flow *f)
{
	return !inany_is_v4(&f->key.remote_addr);
}

/**
 * tcp_wr_pending() - Guest payload of a flow gathered, not yet written
 * @f:		Flow
 *
 * Return: bytes
 */
static uint32_t tcp_wr_pending(const struct flow *f)
{
	if (!tcp.wr_len || f != tcp.wr_flow)
		return 0;
	return (uint32_t)tcp.wr_len;
}

/**
 * tcp_wnd_measure() - Measure the socket's free send space
 * @f:		Flow with a socket
 *
 * The send buffer (SO_MEMINFO: its size and what is queued, both as the
 * kernel counts them) holds segments with their overhead: about a
 * kilobyte each (TCP_SKB_OVERHEAD), a few percent of the large segments
 * of namespace mode but most of a kilobyte for MTU 1500. The room left is
 * turned into payload bytes as if every segment the guest sends were
 * queued alone, at its MSS: a window the socket cannot take would have
 * merd drop the rest of the guest's flight and the guest wait out its
 * retransmission timeouts. A sixteenth is kept as a margin. When the room
 * runs low, merd asks for EPOLLOUT (TCP_F_LOW_WND): polling a socket that
 * is not writable marks it short of space, which is what makes the kernel
 * grow its buffer (autotuning) once ACKs free some.
 *
 * Return: 0, or -1 if the socket would not say
 */
static int tcp_wnd_measure(struct flow *f)
{
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t ml = sizeof(mi);
	long sndbuf, room, seg = f->tcp.mss ? f->tcp.mss : TCP_GUEST_MSS_DEFAULT;

	if (getsockopt(f->sock, SOL_SOCKET, SO_MEMINFO, mi, &ml) ||
	    ml < (SK_MEMINFO_WMEM_QUEUED + 1) * sizeof(mi[0]) ||
	    !mi[SK_MEMINFO_SNDBUF])
		return -1;
	sndbuf = (long)mi[SK_MEMINFO_SNDBUF];
	room = sndbuf - sndbuf / 16 - (long)mi[SK_MEMINFO_WMEM_QUEUED];
	if (room < sndbuf / 3)
		f->tcp.flags |= TCP_F_LOW_WND;
	else
		f->tcp.flags &= (uint16_t)~TCP_F_LOW_WND;
	room = room < 0 ? 0 : room * seg / (seg + TCP_SKB_OVERHEAD);
	f->tcp.wnd_free = (uint32_t)MIN(room, (long)UINT32_MAX);
	f->tcp.wnd_meas = f->tcp.wnd_free;
	f->tcp.flags |= TCP_F_WND_KNOWN;
	return 0;
}

/**
 * tcp_wnd_to_guest() - Window to advertise: the socket's free send space
 * @f:		Flow
 *
 * A system call measures the free space; what merd writes to the socket
 * afterwards is taken off the figure (tcp_data_from_guest()), which stays
 * a lower bound, as the kernel only frees space from then on. It is
 * measured again once merd wrote an eighth of what was free, while space
 * is low, or when the socket says it is writable again: a flow that only
 * downloads, or sends small requests, asks nothing per segment, the window
 * offered stays within 7/8 of the space measured, and its right edge never
 * moves left. While data is held past a gap, nothing is written and the
 * window is not measured again: it stays the same from one duplicate ACK
 * to the next, as the guest needs to count them as duplicates (RFC 5681).
 *
 * Return: window field value, already shifted by our scale if agreed
 */
static uint16_t tcp_wnd_to_guest(struct flow *f)
{
	uint32_t free_bytes;

	if (f->tcp.flags & TCP_F_GUEST_FIN)
		return 0xffff;
	if ((!(f->tcp.flags & TCP_F_WND_KNOWN) ||
	     (!f->tcp.ooo && (f->tcp.flags & TCP_F_LOW_WND ||
			      f->tcp.wnd_meas - f->tcp.wnd_free >=
			      f->tcp.wnd_meas / 8))) &&
	    tcp_wnd_measure(f))
		return 0xffff;
	free_bytes = f->tcp.wnd_free - MIN(f->tcp.wnd_free, tcp_wr_pending(f));
	if (f->tcp.flags & TCP_F_WSCALE)
		free_bytes >>= TCP_WSCALE_OURS;
	return (uint16_t)MIN(free_bytes, 0xffff);
}

/**
 * tcp_hdr_fill() - Write a TCP header toward the guest
 * @th:		Where the header goes
 * @f:		Flow
 * @seq:	Sequence number
 * @flags:	Control bits
 * @opts_len:	Length of options following the header (multiple of 4)
 * @wnd:	Window field
 */
static void tcp_hdr_fill(uint8_t *th, const struct flow *f, uint32_t seq,
			 uint8_t flags, size_t opts_len, uint16_t wnd)
{
	wr16(th, f->key.remote_port);
	wr16(th + 2, f->key.guest_port);
	wr32(th + 4, seq);
	wr32(th + 8, (flags & TCP_ACK) ? f->tcp.rcv_nxt : 0);
	th[12] = (uint8_t)(((TCP_HDR_LEN + opts_len) / 4) << 4);
	th[13] = flags;
	wr16(th + 14, wnd);
	memset(th + 16, 0, 4);		/* checksum, urgent pointer */
}

/**
 * tcp_syn_opts() - Write the options of our SYN or SYN-ACK: MSS, and window
 * scale and SACK permitted where the guest offered them (or, in our SYN,
 * to offer them)
 * @c:		Execution context
 * @f:		Flow
 * @o:		Where the options go, room for TCP_SYN_OPTS_LEN bytes
 *
 * Return: length of the options, a multiple of 4
 */
static size_t tcp_syn_opts(const struct ctx *c, const struct flow *f,
			   uint8_t *o)
{
	size_t len = 4;

	o[0] = 2;
	o[1] = 4;
	wr16(o + 2, tcp_mss_max(c, tcp_v6(f)));
	if (f->tcp.flags & TCP_F_WSCALE) {
		o[len++] = 1;
		o[len++] = 3;
		o[len++] = 3;
		o[len++] = TCP_WSCALE_OURS;
	}
	if (f->tcp.flags & TCP_F_SACK) {
		o[len++] = 1;
		o[len++] = 1;
		o[len++] = 4;
		o[len++] = 2;
	}
	return len;
}

/**
 * tcp_sack_opts() - Write SACK blocks for the data held past a gap
 * @f:		Flow holding data, SACK agreed
 * @o:		Where the options go, room for 4 + 8 * TCP_OOO_SACK_MAX bytes
 *
 * Return: length of the options, a multiple of 4, 0 if nothing is held
 */
static size_t tcp_sack_opts(const struct flow *f, uint8_t *o)
{
	uint32_t blocks[TCP_OOO_SACK_MAX][2];
	size_t n, i;

	n = tcp_ooo_sack(f->tcp.ooo, f->tcp.rcv_nxt, blocks, TCP_OOO_SACK_MAX);
	if (!n)
		return 0;
	o[0] = 1;
	o[1] = 1;
	o[2] = 5;
	o[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		wr32(o + 4 + 8 * i, blocks[i][0]);
		wr32(o + 8 + 8 * i, blocks[i][1]);
	}
	return 4 + 8 * n;
}

/**
 * tcp_send_ctl() - Send a segment without payload to the guest
 * @c:		Execution context
 * @f:		Flow
 * @flags:	Control bits (SYN adds MSS and window scale options)
 *
 * Return: 0 on success, -ENOBUFS if the link had no room
 */
static int tcp_send_ctl(struct ctx *c, struct flow *f, uint8_t flags)
{
	size_t cap = 0, opts = 0;
	uint32_t seq = f->tcp.snd_nxt;
	uint8_t *th = ip_tx_begin(c, tcp_v6(f), &cap);

	if (!th)
		return -ENOBUFS;
	if (flags & TCP_SYN) {
		seq = f->tcp.isn;
		opts = tcp_syn_opts(c, f, th + TCP_HDR_LEN);
	} else if (f->tcp.ooo && f->tcp.flags & TCP_F_SACK &&
		   !(flags & TCP_RST)) {
		opts = tcp_sack_opts(f, th + TCP_HDR_LEN);
	}
	tcp_hdr_fill(th, f, seq, flags, opts,
		     flags & TCP_SYN ? 0xffff : tcp_wnd_to_guest(f));
	ip_tx_commit(c, &f->key.remote_addr, &f->key.guest_addr, IPPROTO_TCP,
		     TCP_HDR_LEN + opts);
	f->tcp.flags &= (uint16_t)~TCP_F_ACK_PENDING;
	return 0;
}

/**
 * tcp_rst_unknown() - Answer a segment of no known flow with a RST
 * @c:		Execution context
 * @key:	Flow key built from the segment
 * @seg:	The segment (RFC 9293 3.10.7.1)
 */
static void tcp_rst_unknown(struct ctx *c, const struct flow_key *key,
			    const struct tcp_seg *seg)
{
	struct flow tmp = { .key = *key, .sock = -1 };

	if (seg->flags & TCP_RST)
		return;
	tmp.tcp.flags = TCP_F_GUEST_FIN;	/* no socket to size a window */
	if (seg->flags & TCP_ACK) {
		tmp.tcp.snd_nxt = seg->ack;
		tcp_send_ctl(c, &tmp, TCP_RST);
	} else {
		tmp.tcp.snd_nxt = 0;
		tmp.tcp.rcv_nxt = seg->seq + (uint32_t)seg->len +
				  !!(seg->flags & TCP_SYN) +
				  !!(seg->flags & TCP_FIN);
		tcp_send_ctl(c, &tmp, TCP_RST | TCP_ACK);
	}
}

/**
 * tcp_ack_later() - Owe the guest an ACK, sent at the end of the batch
 * @f:		Flow
 * @idx:	Its index
 */
static void tcp_ack_later(struct flow *f, uint32_t idx)
{
	if (f->tcp.flags & TCP_F_ACK_PENDING || tcp.n_ack == tcp.list_max)
		return;
	f->tcp.flags |= TCP_F_ACK_PENDING;
	tcp.ack_list[tcp.n_ack++] = idx;
}

/**
 * tcp_drain_later() - Drop acknowledged bytes from the socket at the end of
 * the batch
 * @f:		Flow
 * @idx:	Its index
 * @bytes:	How many more
 */
static void tcp_drain_later(struct flow *f, uint32_t idx, uint32_t bytes)
{
	f->tcp.drain += bytes;
	if (f->tcp.flags & TCP_F_DRAIN)
		return;
	if (tcp.n_drain == tcp.list_max) {	/* cannot happen: at once */
		tcp_drain_acked(f, f->tcp.drain);
		return;
	}
	f->tcp.flags |= TCP_F_DRAIN;
	tcp.drain_list[tcp.n_drain++] = idx;
}

/**
 * tcp_tx_later() - Resume sending to the guest once the link has room
 * @f:		Flow
 * @idx:	Its index
 */
static void tcp_tx_later(struct flow *f, uint32_t idx)
{
	if (f->tcp.flags & TCP_F_WANT_TX || tcp.n_tx == tcp.list_max)
		return;
	f->tcp.flags |= TCP_F_WANT_TX;
	tcp.tx_list[tcp.n_tx++] = idx;
}

/**
 * tcp_keepalive_at() - When a silent guest is to be probed
 * @t:		Connection
 *
 * Return: the time, or 0 if no keepalive is due: the flow is not
 * established, or other probes or retransmissions are already running
 */
static uint64_t tcp_keepalive_at(const struct tcp_conn *t)
{
	if (t->state != TCPS_ESTABLISHED || t->snd_nxt != t->snd_una ||
	    !t->snd_wnd || t->flags & TCP_F_KEEPALIVE)
		return 0;
	return t->guest_at + (uint64_t)TCP_KEEPALIVE_S * 1000;
}

/**
 * tcp_guest_alive() - The guest sent an acceptable segment: it answers
 * @c:		Execution context
 * @f:		Flow
 *
 * With nothing in flight, the retry count only counts unanswered probes:
 * it starts again. A keepalive round ends.
 */
static void tcp_guest_alive(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;

	t->guest_at = c->now;
	if (t->snd_nxt == t->snd_una && t->state == TCPS_ESTABLISHED)
		t->retries = 0;
	if (t->flags & TCP_F_KEEPALIVE) {
		t->flags &= (uint16_t)~TCP_F_KEEPALIVE;
		t->rto_ms = TCP_RTO_MIN_MS;
		t->rto_at = 0;
	}
}

/**
 * tcp_timers_update() - Recompute a flow's deadline from its state
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_timers_update(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;
	bool est = t->state == TCPS_ESTABLISHED;
	bool inflight = t->snd_nxt != t->snd_una;
	bool probe = est && (!t->snd_wnd || t->flags & TCP_F_KEEPALIVE);
	uint64_t at = t->idle_at, ka = tcp_keepalive_at(t);

	if ((inflight || probe) && !t->rto_at)
		t->rto_at = c->now + t->rto_ms;
	if (!inflight && !probe && t->state != TCPS_SYN_ACK_SENT)
		t->rto_at = 0;
	if (t->rto_at && t->rto_at < at)
		at = t->rto_at;
	if (ka && ka < at)
		at = ka;
	flow_set_deadline(c, f, at);
}

/**
 * tcp_idle_refresh() - Push the idle deadline after traffic
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_idle_refresh(struct ctx *c, struct flow *f)
{
	unsigned int s = c->conf.tcp_timeout;

	if (f->tcp.state != TCPS_ESTABLISHED)
		s = c->conf.tcp_syn_timeout;
	else if (f->tcp.flags & (TCP_F_GUEST_FIN | TCP_F_FIN_SENT))
		s = c->conf.tcp_fin_timeout;
	f->tcp.idle_at = c->now + (uint64_t)s * 1000;
}

/**
 * tcp_close() - End a flow, resetting the host side if asked
 * @c:		Execution context
 * @f:		Flow
 * @reset_host:	Abort the host connection (RST) rather than close it
 */
static void tcp_close(struct ctx *c, struct flow *f, bool reset_host)
{
	if (!reset_host && f->sock >= 0 && f->tcp.drain)
		tcp_drain_acked(f, f->tcp.drain);	/* unread data: RST */
	if (reset_host && f->sock >= 0) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(f->sock, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	flow_remove(c, f);
}

/**
 * tcp_reset_both() - Abort a flow on both sides
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_reset_both(struct ctx *c, struct flow *f)
{
	tcp_send_ctl(c, f, TCP_RST | TCP_ACK);
	tcp_close(c, f, true);
}

/**
 * tcp_sock_open() - Create the host socket and start connecting
 * @c:		Execution context
 * @key:	Flow key: destination as the guest sees it
 *
 * Return: socket, or negative errno
 */
static int tcp_sock_open(struct ctx *c, const struct flow_key *key)
{
	struct sockaddr_storage sa;
	socklen_t sl = target_sockaddr(c, key, &sa);
	int s, one = 1;

	s = flow_socket(c, sa.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return -errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&sa, sl) && errno != EINPROGRESS) {
		int rc = -errno;

		close(s);
		return rc;
	}
	return s;
}

/**
 * tcp_open() - Handle a guest's SYN for a new connection
 * @c:		Execution context
 * @key:	Flow key
 * @seg:	The SYN
 */
static void tcp_open(struct ctx *c, const struct flow_key *key,
		     const struct tcp_seg *seg)
{
	int zero = 0, s;
	struct flow *f;
	uint32_t idx;

	if (seg->flags & (TCP_FIN | TCP_RST | TCP_ACK)) {
		count_drop(c, CNT_drop_tcp_flags);
		return;
	}
	if (flow_full(c)) {	/* refused before any packet leaves */
		tcp_rst_unknown(c, key, seg);
		return;
	}
	s = tcp_sock_open(c, key);
	if (s < 0) {
		count_drop(c, CNT_drop_sock_err);
		debug_ratelimited("tcp: connect: %s", strerror(-s));
		tcp_rst_unknown(c, key, seg);
		return;
	}
	f = flow_insert(c, key);
	if (!f) {
		close(s);
		tcp_rst_unknown(c, key, seg);
		return;
	}
	idx = flow_index(&c->flows, f);
	f->sock = s;
	f->tcp.state = TCPS_CONNECTING;
	f->tcp.rcv_nxt = seg->seq + 1;
	f->tcp.isn = tcp_isn(c, key);
	f->tcp.snd_una = f->tcp.snd_nxt = f->tcp.snd_max = f->tcp.isn + 1;
	f->tcp.mss = MIN(seg->mss ? MAX(seg->mss, TCP_GUEST_MSS_MIN) :
			 TCP_GUEST_MSS_DEFAULT,
			 tcp_mss_max(c, tcp_v6(f)));
	if (seg->wscale >= 0) {
		f->tcp.flags |= TCP_F_WSCALE;
		f->tcp.snd_wscale = (uint8_t)seg->wscale;
	}
	if (seg->sack_ok)
		f->tcp.flags |= TCP_F_SACK;
	f->tcp.snd_wnd = seg->wnd;		/* never scaled in a SYN */
	f->tcp.rto_ms = TCP_RTO_MIN_MS * 5;
	f->tcp.guest_at = c->now;
	if (!setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		f->tcp.flags |= TCP_F_PEEK_OFF;
	if (epoll_add(c, s, EPOLLOUT | EPOLLIN | EPOLLRDHUP | EPOLLET,
		      EPOLL_REF(EPOLL_TYPE_FLOW, idx))) {
		flow_remove(c, f);
		return;
	}
	tcp_idle_refresh(c, f);
	tcp_timers_update(c, f);
}

/**
 * tcp_connect_done() - The host connect finished: answer the guest's SYN
 * @c:		Execution context
 * @f:		Flow in TCPS_CONNECTING
 */
static void tcp_connect_done(struct ctx *c, struct flow *f)
{
	int e = 0;
	socklen_t sl = sizeof(e);
	uint8_t quote[8];

	if (getsockopt(f->sock, SOL_SOCKET, SO_ERROR, &e, &sl))
		e = errno;
	if (e == EINPROGRESS || e == EALREADY)
		return;
	if (e) {
		debug_ratelimited("tcp: connect to port %u: %s",
				  f->key.remote_port, strerror(e));
		if (e == EHOSTUNREACH || e == ENETUNREACH) {
			wr16(quote, f->key.guest_port);
			wr16(quote + 2, f->key.remote_port);
			wr32(quote + 4, f->tcp.rcv_nxt - 1);
			icmp_unreach(c, &f->key, IPPROTO_TCP,
				     e == ENETUNREACH ? 0 : 1, quote);
		} else {
			f->tcp.snd_nxt = 0;
			tcp_send_ctl(c, f, TCP_RST | TCP_ACK);
		}
		tcp_close(c, f, false);
		return;
	}
	f->tcp.state = TCPS_SYN_ACK_SENT;
	tcp_send_ctl(c, f, TCP_SYN | TCP_ACK);
	epoll_mod(c, f->sock, EPOLLIN | EPOLLRDHUP | EPOLLET,
		  EPOLL_REF(EPOLL_TYPE_FLOW, flow_index(&c->flows, f)));
	f->tcp.rto_at = c->now + f->tcp.rto_ms;
	tcp_idle_refresh(c, f);
	tcp_timers_update(c, f);
}

/**
 * tcp_drain_acked() - Drop bytes the guest acknowledged from the socket
 * @f:		Flow
 * @bytes:	How many
 *
 * Return: 0 on success, negative errno if the socket failed
 */
static int tcp_drain_acked(struct flow *f, uint32_t bytes)
{
	f->tcp.drain -= bytes;
	while (bytes) {
		ssize_t n = recv(f->sock, NULL, bytes, MSG_TRUNC | MSG_DONTWAIT);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		bytes -= (uint32_t)n;
	}
	return 0;
}

/**
 * tcp_peek_off_sync() - Point the socket's peek offset at snd_nxt again,
 * after snd_nxt moved without a peek
 * @f:		Flow
 *
 * The receive queue starts with the acknowledged bytes not dropped yet
 * (@drain), then what is in flight.
 */
static void tcp_peek_off_sync(const struct flow *f)
{
	int off = (int)(f->tcp.drain + (f->tcp.snd_nxt - f->tcp.snd_una));

	if (f->tcp.flags & TCP_F_PEEK_OFF)
		setsockopt(f->sock, SOL_SOCKET, SO_PEEK_OFF, &off,
			   sizeof(off));
}

/**
 * tcp_rewind() - Send again from the oldest unacknowledged byte
 * @f:		Flow
 */
static void tcp_rewind(struct flow *f)
{
	f->tcp.snd_nxt = f->tcp.snd_una;
	f->tcp.flags &= (uint16_t)~TCP_F_RX_DRY;
	tcp_peek_off_sync(f);
	f->tcp.dup_acks = 0;
}

/**
 * tcp_ack_input() - Process the acknowledgement field of a guest segment
 * @c:		Execution context
 * @f:		Flow, established
 * @seg:	Segment with ACK set
 *
 * Return: 0, or -1 if the flow was ended or the segment is to be dropped
 */
static int tcp_ack_input(struct ctx *c, struct flow *f,
			 const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;
	uint32_t wnd = (uint32_t)seg->wnd << (t->flags & TCP_F_WSCALE ?
					      t->snd_wscale : 0);
	uint32_t acked, data;
	bool jumped = false;

	if (SEQ_GT(seg->ack, t->snd_max)) {	/* ack of data never sent */
		count_drop(c, CNT_drop_tcp_seq);	/* RFC 9293 3.10.7.4 */
		tcp_ack_later(f, flow_index(&c->flows, f));
		return -1;
	}
	if (SEQ_GT(seg->ack, t->snd_nxt)) {	/* sent before a rewind */
		t->snd_nxt = seg->ack;
		t->flags &= (uint16_t)~TCP_F_RX_DRY;
		jumped = true;
	}
	if (SEQ_GT(seg->ack, t->snd_una)) {
		acked = seg->ack - t->snd_una;
		data = acked;
		if (t->flags & TCP_F_FIN_SENT && !(t->flags & TCP_F_FIN_ACKED) &&
		    SEQ_GT(seg->ack, t->fin_seq)) {
			t->flags |= TCP_F_FIN_ACKED;
			data--;
		}
		if (data)
			tcp_drain_later(f, flow_index(&c->flows, f), data);
		t->snd_una = seg->ack;
		t->dup_acks = 0;
		t->retries = 0;
		t->rto_ms = TCP_RTO_MIN_MS;
		t->rto_at = t->snd_una != t->snd_nxt ? c->now + t->rto_ms : 0;
	} else if (seg->ack == t->snd_una && !seg->len && wnd == t->snd_wnd &&
		   t->snd_nxt != t->snd_una && ++t->dup_acks == 3) {
		tcp_rewind(f);		/* fast retransmit */
	}
	if (jumped)
		tcp_peek_off_sync(f);
	t->snd_wnd = wnd;
	return 0;
}

/**
 * tcp_sock_write() - Write in-order guest bytes to the host socket
 * @c:		Execution context
 * @f:		Flow, established
 * @iov:	The bytes, starting at rcv_nxt
 * @iovcnt:	Pieces in @iov
 * @len:	Their total length
 *
 * What the socket does not take is not acknowledged: the guest sends it
 * again, and merd asks to hear when the socket has room (window update).
 *
 * Return: bytes written, or -1 if the socket failed and the flow was ended
 */
static ssize_t tcp_sock_write(struct ctx *c, struct flow *f,
			      struct iovec *iov, int iovcnt, size_t len)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
	struct tcp_conn *t = &f->tcp;
	ssize_t n = sendmsg(f->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN) {
			tcp_reset_both(c, f);
			return -1;
		}
		n = 0;
	}
	if ((size_t)n < len && !(t->flags & TCP_F_WANT_OUT)) {
		t->flags |= TCP_F_WANT_OUT;	/* window update when writable */
		epoll_mod(c, f->sock, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
			  EPOLL_REF(EPOLL_TYPE_FLOW, flow_index(&c->flows, f)));
	}
	t->rcv_nxt += (uint32_t)n;
	t->wnd_free -= MIN(t->wnd_free, (uint32_t)n);
	f->bytes_out += (uint64_t)n;
	return n;
}

/**
 * tcp_fin_accept() - Take the guest's FIN, all data before it delivered:
 * half-close the host socket
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_fin_accept(struct ctx *c, struct flow *f)
{
	f->tcp.flags |= TCP_F_GUEST_FIN;
	f->tcp.rcv_nxt++;
	shutdown(f->sock, SHUT_WR);
	tcp_ack_later(f, flow_index(&c->flows, f));
}

/**
 * tcp_ooo_flush() - Write held data that the gap no longer keeps back, and
 * give the slot back once nothing is held
 * @c:		Execution context
 * @f:		Flow holding data past a gap
 *
 * Return: 0, or -1 if the flow was ended
 */
static int tcp_ooo_flush(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;
	struct iovec iov[2];
	uint32_t fin;
	ssize_t n;
	size_t len;

	while ((len = tcp_ooo_ready(t->ooo, t->rcv_nxt, iov))) {
		n = tcp_sock_write(c, f, iov, 2, len);
		if (n < 0)
			return -1;
		t->flags &= (uint16_t)~TCP_F_WND_KNOWN;	/* measure anew */
		if ((size_t)n < len)
			return 0;		/* the rest once writable */
	}
	if (!tcp_ooo_empty(t->ooo, t->rcv_nxt))
		return 0;			/* another gap */
	if (tcp_ooo_fin(t->ooo, &fin) && fin == t->rcv_nxt &&
	    !(t->flags & TCP_F_GUEST_FIN))
		tcp_fin_accept(c, f);
	tcp_ooo_put(t->ooo);
	t->ooo = 0;
	return 0;
}

/**
 * tcp_ooo_hold() - Keep a segment that came past a gap, if there is room,
 * and tell the guest what is missing
 * @c:		Execution context
 * @f:		Flow, established
 * @seg:	Segment, starting past rcv_nxt
 *
 * A guest that agreed to SACK learns what merd holds from the blocks of
 * the ACK at the end of the batch; one that did not gets a duplicate ACK
 * for every such segment, at once (RFC 5681 4.2), so that three of them
 * start its fast retransmit.
 */
static void tcp_ooo_hold(struct ctx *c, struct flow *f,
			 const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;
	int held = -ENOSPC;

	count(c, CNT_tcp_out_of_order);
	if (!t->ooo)
		t->ooo = (uint8_t)tcp_ooo_get();
	if (t->ooo)
		held = tcp_ooo_add(t->ooo, t->rcv_nxt, seg->seq, seg->data,
				   seg->len);
	if (held < 0) {
		count_drop(c, CNT_drop_tcp_ooo);
		if (t->ooo && tcp_ooo_empty(t->ooo, t->rcv_nxt)) {
			tcp_ooo_put(t->ooo);
			t->ooo = 0;
		}
	} else {
		f->pkts_out++;
		if (seg->flags & TCP_FIN && (size_t)held == seg->len)
			tcp_ooo_fin_set(t->ooo, seg->seq + (uint32_t)seg->len);
	}
	if (t->flags & TCP_F_SACK)
		tcp_ack_later(f, flow_index(&c->flows, f));
	else
		tcp_send_ctl(c, f, TCP_ACK);	/* duplicate ACK */
}

/**
 * tcp_wr_flush() - Write the payload gathered for a flow in one call
 * @c:		Execution context
 *
 * Return: 0, or -1 if the socket failed and that flow was ended
 */
static int tcp_wr_flush(struct ctx *c)
{
	struct flow *f = tcp.wr_flow;
	size_t len = tcp.wr_len;
	int n = tcp.wr_n;

	if (!len)
		return 0;
	tcp.wr_len = 0;
	tcp.wr_n = 0;
	tcp.wr_flow = NULL;
	return tcp_sock_write(c, f, tcp.wr_iov, n, len) < 0 ? -1 : 0;
}

/**
 * tcp_rx_flush() - Write the guest payload gathered so far to its socket:
 * before the link reuses the buffer its frames are in, and at the end of
 * a batch
 * @c:		Execution context
 */
void tcp_rx_flush(struct ctx *c)
{
	tcp_wr_flush(c);
}

/**
 * tcp_wr_own_flush() - Write what is gathered for a flow before something
 * that needs its socket to have all of it (a FIN, data past a gap)
 * @c:		Execution context
 * @f:		Flow
 *
 * Return: 0, or -1 if the socket failed and the flow was ended
 */
static int tcp_wr_own_flush(struct ctx *c, const struct flow *f)
{
	return tcp.wr_len && tcp.wr_flow == f ? tcp_wr_flush(c) : 0;
}

/**
 * tcp_rcv_expect() - Next sequence number expected from the guest
 * @f:		Flow
 *
 * Return: rcv_nxt, past what is gathered for the socket
 */
static uint32_t tcp_rcv_expect(const struct flow *f)
{
	return f->tcp.rcv_nxt + tcp_wr_pending(f);
}

/**
 * tcp_wr_add() - Gather in-order payload, to be written with the rest of
 * the run (tcp_rx_flush())
 * @c:		Execution context
 * @f:		Flow, established, holding nothing past a gap
 * @data:	Payload, in a frame of the link's receive buffer
 * @len:	Its length, nonzero
 *
 * Return: 0, or -1 if the socket failed and the flow was ended
 */
static int tcp_wr_add(struct ctx *c, struct flow *f, const uint8_t *data,
		      size_t len)
{
	if (tcp.wr_len && tcp.wr_flow != f)
		tcp_wr_flush(c);		/* another flow's run ends */
	if (tcp.wr_n == TCP_WR_IOV && tcp_wr_flush(c))
		return -1;
	tcp.wr_flow = f;
	tcp.wr_iov[tcp.wr_n].iov_base = (void *)(uintptr_t)data;
	tcp.wr_iov[tcp.wr_n++].iov_len = len;
	tcp.wr_len += len;
	return 0;
}

/**
 * tcp_flow_gone() - Forget what a flow that is being removed left: payload
 * gathered for its socket (never acknowledged), data held past a gap
 * @f:		Flow
 */
void tcp_flow_gone(const struct flow *f)
{
	if (tcp.wr_flow == f) {
		tcp.wr_len = 0;
		tcp.wr_n = 0;
		tcp.wr_flow = NULL;
	}
	if (f->tcp.ooo)
		tcp_ooo_put(f->tcp.ooo);
}

/**
 * tcp_data_from_guest() - Take a segment's in-order payload for the socket,
 * hold one that came past a gap
 * @c:		Execution context
 * @f:		Flow, established
 * @seg:	Segment
 *
 * Return: 0, or -1 if the flow was ended
 */
static int tcp_data_from_guest(struct ctx *c, struct flow *f,
			       const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;
	uint32_t idx = flow_index(&c->flows, f), skip;
	struct iovec iov;
	ssize_t n;

	if (!seg->len)
		return 0;
	if (t->flags & TCP_F_GUEST_FIN) {
		count(c, CNT_tcp_out_of_order);
		tcp_ack_later(f, idx);		/* duplicate ACK */
		return 0;
	}
	if (SEQ_GT(seg->seq, tcp_rcv_expect(f))) {
		if (tcp_wr_own_flush(c, f))
			return -1;
		tcp_ooo_hold(c, f, seg);
		return 0;
	}
	skip = tcp_rcv_expect(f) - seg->seq;
	if (skip >= seg->len) {
		tcp_ack_later(f, idx);		/* all old: ACK again */
		return 0;
	}
	f->pkts_out++;
	tcp_ack_later(f, idx);
	if (!t->ooo)
		return tcp_wr_add(c, f, seg->data + skip, seg->len - skip);
	iov.iov_base = (void *)(uintptr_t)(seg->data + skip);
	iov.iov_len = seg->len - skip;
	n = tcp_sock_write(c, f, &iov, 1, iov.iov_len);
	if (n < 0)
		return -1;
	if ((size_t)n == iov.iov_len)
		return tcp_ooo_flush(c, f);
	return 0;
}

/**
 * tcp_fin_from_guest() - Handle the guest's FIN once all data before it
 * arrived and is written: half-close the host socket
 * @c:		Execution context
 * @f:		Flow
 * @seg:	Segment carrying FIN
 *
 * Return: 0, or -1 if the flow was ended
 */
static int tcp_fin_from_guest(struct ctx *c, struct flow *f,
			      const struct tcp_seg *seg)
{
	uint32_t fin = seg->seq + (uint32_t)seg->len;

	if (f->tcp.flags & TCP_F_GUEST_FIN || fin != tcp_rcv_expect(f))
		return 0;
	if (tcp_wr_own_flush(c, f))
		return -1;
	if (fin == f->tcp.rcv_nxt)	/* else the socket took less: later */
		tcp_fin_accept(c, f);
	return 0;
}

/**
 * tcp_close_if_done() - End a flow whose both FINs are acknowledged
 * @c:		Execution context
 * @f:		Flow
 *
 * Return: true if the flow was ended
 */
static bool tcp_close_if_done(struct ctx *c, struct flow *f)
{
	if (!(f->tcp.flags & TCP_F_GUEST_FIN) ||
	    !(f->tcp.flags & TCP_F_FIN_ACKED))
		return false;
	if (f->tcp.flags & TCP_F_ACK_PENDING)
		tcp_send_ctl(c, f, TCP_ACK);
	tcp_close(c, f, false);
	return true;
}

/**
 * tcp_seq_acceptable() - RFC 9293 3.10.7.4 acceptability, simplified
 * @t:		Connection
 * @seg:	Segment
 *
 * Return: true if the segment overlaps what merd can take
 */
static bool tcp_seq_acceptable(const struct tcp_conn *t,
			       const struct tcp_seg *seg)
{
	uint32_t end = seg->seq + (uint32_t)seg->len;
	const uint32_t wnd = 1U << 30;

	if (!seg->len)
		return SEQ_GE(seg->seq, t->rcv_nxt - wnd) &&
		       SEQ_LE(seg->seq, t->rcv_nxt + wnd);
	return SEQ_GT(end, t->rcv_nxt - wnd) &&
	       SEQ_LT(seg->seq, t->rcv_nxt + wnd);
}

/**
 * tcp_handshake_ack() - The guest's ACK of our SYN-ACK
 * @c:		Execution context
 * @f:		Flow in TCPS_SYN_ACK_SENT
 * @seg:	Segment with ACK
 *
 * Return: 0 if the flow is now established, -1 if the segment was refused
 */
static int tcp_handshake_ack(struct ctx *c, struct flow *f,
			     const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;

	if (seg->ack != t->isn + 1) {
		struct flow_key key = f->key;

		tcp_rst_unknown(c, &key, seg);
		return -1;
	}
	t->state = TCPS_ESTABLISHED;
	t->snd_una = seg->ack;
	t->rto_at = 0;
	t->rto_ms = TCP_RTO_MIN_MS;
	t->retries = 0;
	return 0;
}

/**
 * tcp_syn_sent_input() - The guest's answer to merd's SYN
 * @c:		Execution context
 * @f:		Flow in TCPS_SYN_SENT
 * @seg:	Segment
 */
static void tcp_syn_sent_input(struct ctx *c, struct flow *f,
			       const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;
	bool acks_syn = seg->flags & TCP_ACK && seg->ack == t->isn + 1;

	if (seg->flags & TCP_RST) {
		if (acks_syn)
			tcp_close(c, f, true);	/* refused: reset the client */
		return;
	}
	if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_FIN)) !=
	    (TCP_SYN | TCP_ACK) || !acks_syn) {
		count_drop(c, CNT_drop_tcp_flags);
		return;
	}
	t->rcv_nxt = seg->seq + 1;
	t->mss = MIN(seg->mss ? MAX(seg->mss, TCP_GUEST_MSS_MIN) :
		     TCP_GUEST_MSS_DEFAULT,
		     tcp_mss_max(c, tcp_v6(f)));
	if (seg->wscale >= 0)
		t->snd_wscale = (uint8_t)seg->wscale;
	else
		t->flags &= (uint16_t)~TCP_F_WSCALE;
	if (!seg->sack_ok)
		t->flags &= (uint16_t)~TCP_F_SACK;
	t->snd_wnd = seg->wnd;
	t->snd_una = seg->ack;
	t->state = TCPS_ESTABLISHED;
	t->rto_at = 0;
	t->rto_ms = TCP_RTO_MIN_MS;
	t->retries = 0;
	tcp_send_ctl(c, f, TCP_ACK);
	tcp_idle_refresh(c, f);
	tcp_data_to_guest(c, f);
	if (flow_at(&c->flows, flow_index(&c->flows, f)) == f)
		tcp_timers_update(c, f);
}

/**
 * tcp_segment() - Handle a guest segment for a known flow
 * @c:		Execution context
 * @f:		Flow
 * @seg:	Checked segment
 */
static void tcp_segment(struct ctx *c, struct flow *f,
			const struct tcp_seg *seg)
{
	struct tcp_conn *t = &f->tcp;
	uint32_t idx = flow_index(&c->flows, f);
	bool ka_answer;

	if (t->state == TCPS_SYN_SENT) {
		tcp_syn_sent_input(c, f, seg);
		return;
	}
	if (seg->flags & TCP_RST) {
		if (t->state == TCPS_CONNECTING ||
		    (SEQ_GE(seg->seq, t->rcv_nxt - 1) &&
		     SEQ_LE(seg->seq, t->rcv_nxt + (1U << 30))))
			tcp_close(c, f, true);
		return;
	}
	if (seg->flags & TCP_SYN) {
		if (seg->flags & TCP_FIN) {
			count_drop(c, CNT_drop_tcp_flags);
		} else if (t->state == TCPS_SYN_ACK_SENT &&
			   seg->seq + 1 == t->rcv_nxt) {
			tcp_send_ctl(c, f, TCP_SYN | TCP_ACK);
		} else if (t->state == TCPS_ESTABLISHED) {
			tcp_ack_later(f, idx);	/* RFC 5961 challenge ACK */
		}
		return;
	}
	if (!(seg->flags & TCP_ACK) || t->state == TCPS_CONNECTING) {
		count_drop(c, CNT_drop_tcp_flags);
		return;
	}
	if (!tcp_seq_acceptable(t, seg)) {
		count_drop(c, CNT_drop_tcp_seq);
		tcp_ack_later(f, idx);
		return;
	}
	ka_answer = t->flags & TCP_F_KEEPALIVE && !seg->len &&
		    !(seg->flags & TCP_FIN) && seg->ack == t->snd_una;
	tcp_guest_alive(c, f);
	if (t->state == TCPS_SYN_ACK_SENT && tcp_handshake_ack(c, f, seg))
		return;

	if (tcp_ack_input(c, f, seg) || tcp_data_from_guest(c, f, seg))
		return;
	if (seg->flags & TCP_FIN && tcp_fin_from_guest(c, f, seg))
		return;
	if (tcp_close_if_done(c, f))
		return;
	if (!ka_answer)
		tcp_idle_refresh(c, f);
	tcp_data_to_guest(c, f);
	if (flow_at(&c->flows, idx) == f && f->key.proto == FLOW_TCP)
		tcp_timers_update(c, f);
}

/**
 * tcp_input() - Handle a TCP segment from the guest
 * @c:		Execution context
 * @pkt:	Checked IP packet with protocol TCP
 */
void tcp_input(struct ctx *c, const struct ip_pkt *pkt)
{
	struct flow_key key = { 0 };
	struct tcp_seg seg;
	struct flow *f;

	if (tcp_parse(c, pkt, &seg))
		return;
	if (!ip_l4_csum_ok(pkt)) {
		count_drop(c, CNT_drop_tcp_csum);
		return;
	}

	key.proto = FLOW_TCP;
	key.guest_addr = pkt->src;
	key.remote_addr = pkt->dst;
	key.guest_port = rd16(pkt->l4);
	key.remote_port = rd16(pkt->l4 + 2);

	f = flow_lookup(&c->flows, &key);
	if (f) {
		tcp_segment(c, f, &seg);
		return;
	}
	if ((seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && key.remote_port &&
	    key.guest_port) {
		tcp_open(c, &key, &seg);
		return;
	}
	if (seg.flags & TCP_SYN)
		count_drop(c, CNT_drop_tcp_flags);
	tcp_rst_unknown(c, &key, &seg);
}

/**
 * tcp_send_fin() - Send our FIN once the host peer's data is all out
 * @c:		Execution context
 * @f:		Flow, host socket at EOF
 */
static void tcp_send_fin(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;

	t->flags |= TCP_F_SOCK_EOF;
	if (t->flags & TCP_F_FIN_SENT && t->snd_nxt != t->fin_seq)
		return;				/* sent, and not rewound to */
	if (tcp_send_ctl(c, f, TCP_FIN | TCP_ACK)) {
		tcp_tx_later(f, flow_index(&c->flows, f));
		return;
	}
	t->fin_seq = t->snd_nxt;
	t->flags |= TCP_F_FIN_SENT;
	t->snd_nxt++;
	if (SEQ_GT(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
}

/**
 * tcp_send_room() - How much may be sent to the guest now
 * @c:		Execution context
 * @f:		Flow
 * @tail:	Set to where the next frame goes in the link's queue
 * @nseg:	Set to the number of segments that fit
 *
 * Return: bytes of payload that the window, the queue and the peek method
 * allow, 0 if none (the caller is told why by @tail being NULL: no room
 * in the queue, or no buffer of a vhost-user guest free)
 */
static size_t tcp_send_room(struct ctx *c, const struct flow *f,
			    uint8_t **tail, size_t *nseg)
{
	const struct tcp_conn *t = &f->tcp;
	size_t hl = tcp_v6(f) ? IP6_HDR_LEN : IP4_HDR_LEN;
	size_t slot = 4 + ETH_HDR_LEN + hl + TCP_HDR_LEN + t->mss;
	uint32_t inflight = t->snd_nxt - t->snd_una, wnd = t->snd_wnd;
	size_t space = 0, room;

	*nseg = 0;
	*tail = link_direct_wait(c) ? NULL : link_tx_tail(c, &space);
	if (!*tail)
		return 0;
	*nseg = MIN(space / slot, TCP_SEGS_PER_CALL);
	if (!*nseg) {
		*tail = NULL;
		return 0;
	}
	if (inflight >= wnd)
		return 0;
	room = MIN((size_t)(wnd - inflight), *nseg * t->mss);
	if (!(t->flags & TCP_F_PEEK_OFF)) {
		uint32_t skip = inflight + t->drain;

		room = skip >= TCP_DISCARD_LEN ? 0 :
		       MIN(room, TCP_DISCARD_LEN - skip);
	}
	*nseg = (room + t->mss - 1) / t->mss;
	return room;
}

/**
 * tcp_peek() - Peek the next bytes for the guest into frames in the queue
 * @f:		Flow
 * @tail:	Where the first frame starts in the link's queue
 * @room:	Bytes wanted
 * @hdrs:	Bytes of length word and headers before each payload
 *
 * Return: bytes peeked, 0 at EOF, negative errno
 */
static ssize_t tcp_peek(const struct flow *f, uint8_t *tail, size_t room,
			size_t hdrs)
{
	struct iovec iov[TCP_SEGS_PER_CALL + 1];
	struct msghdr mh = { .msg_iov = iov };
	size_t slot = hdrs + f->tcp.mss, off;
	uint32_t inflight = f->tcp.snd_nxt - f->tcp.snd_una + f->tcp.drain;
	ssize_t n;
	int i = 0;

	if (!(f->tcp.flags & TCP_F_PEEK_OFF) && inflight) {
		iov[i].iov_base = tcp.discard;
		iov[i++].iov_len = inflight;
	}
	for (off = 0; off < room; off += f->tcp.mss, i++) {
		iov[i].iov_base = tail + (off / f->tcp.mss) * slot + hdrs;
		iov[i].iov_len = MIN(f->tcp.mss, room - off);
	}
	mh.msg_iovlen = (size_t)i;
	n = recvmsg(f->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (!(f->tcp.flags & TCP_F_PEEK_OFF)) {
		if ((size_t)n < inflight)
			return -EIO;
		n -= inflight;
		if (!n && !(f->tcp.flags & TCP_F_RDHUP))
			return -EAGAIN;
	}
	return n;
}

/**
 * tcp_peek_direct() - Peek the next bytes for the guest straight into its
 * receive buffers (vhost-user), when the link allows that
 * @c:		Execution context
 * @f:		Flow
 * @room:	Bytes wanted; set to those reserved in the guest's buffers
 *
 * The segments are then committed as usual, with their headers built in
 * the link's queue and sent after the payload (link_direct_begin()); the
 * caller ends the batch with link_direct_end() in any case.
 *
 * Return: bytes peeked, 0 at EOF, negative errno; -ENOTSUP if the frames
 * must go through the queue (tcp_peek()), -ENOBUFS if the guest has no
 * receive buffer free (the data waits in the socket)
 */
static ssize_t tcp_peek_direct(struct ctx *c, const struct flow *f,
			       size_t *room)
{
	size_t hdrs = ETH_HDR_LEN + (tcp_v6(f) ? IP6_HDR_LEN : IP4_HDR_LEN) +
		      TCP_HDR_LEN, niov = 0;
	const struct iovec *iov = NULL;
	struct msghdr mh = { 0 };
	ssize_t got, n;

	if (!(f->tcp.flags & TCP_F_PEEK_OFF))
		return -ENOTSUP;
	got = link_direct_begin(c, hdrs, f->tcp.mss, *room, &iov, &niov);
	if (got == -ENOBUFS)
		return -ENOBUFS;
	if (got <= 0)
		return -ENOTSUP;
	*room = (size_t)got;
	mh.msg_iov = (struct iovec *)iov;
	mh.msg_iovlen = niov;
	n = recvmsg(f->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/**
 * tcp_segments_commit() - Turn peeked payload into queued segments
 * @c:		Execution context
 * @f:		Flow
 * @bytes:	Payload bytes peeked, laid out one segment per slot
 */
static void tcp_segments_commit(struct ctx *c, struct flow *f, size_t bytes)
{
	struct tcp_conn *t = &f->tcp;
	uint16_t wnd = tcp_wnd_to_guest(f);
	size_t off, len;

	for (off = 0; off < bytes; off += len) {
		uint8_t *th = c->link.tx + c->link.tx_len + 4 + ETH_HDR_LEN +
			      (tcp_v6(f) ? IP6_HDR_LEN : IP4_HDR_LEN);

		len = MIN((size_t)t->mss, bytes - off);
		tcp_hdr_fill(th, f, t->snd_nxt,
			     TCP_ACK | (off + len == bytes ? TCP_PSH : 0), 0,
			     wnd);
		ip_tx_commit(c, &f->key.remote_addr, &f->key.guest_addr,
			     IPPROTO_TCP, TCP_HDR_LEN + len);
		t->snd_nxt += (uint32_t)len;
		f->pkts_in++;
	}
	if (SEQ_GT(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
	t->flags &= (uint16_t)~TCP_F_ACK_PENDING;
	f->bytes_in += bytes;
}

/**
 * tcp_data_to_guest() - Send what the host peer sent, as far as allowed
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_data_to_guest(struct ctx *c, struct flow *f)
{
	size_t hdrs = 4 + ETH_HDR_LEN + (tcp_v6(f) ? IP6_HDR_LEN : IP4_HDR_LEN) +
		      TCP_HDR_LEN;
	uint32_t idx = flow_index(&c->flows, f);
	size_t room, nseg;
	uint8_t *tail;
	ssize_t n;

	if (f->tcp.state != TCPS_ESTABLISHED || f->tcp.flags & TCP_F_RX_DRY)
		return;
	for (;;) {
		if (f->tcp.flags & TCP_F_FIN_SENT &&
		    SEQ_GT(f->tcp.snd_nxt, f->tcp.fin_seq))
			return;			/* all sent, FIN included */
		room = tcp_send_room(c, f, &tail, &nseg);
		if (!tail) {
			tcp_tx_later(f, idx);
			return;
		}
		if (!room)
			return;			/* the guest's window is full */
		n = tcp_peek_direct(c, f, &room);
		if (n == -ENOBUFS) {
			tcp_tx_later(f, idx);
			return;
		}
		if (n == -ENOTSUP)
			n = tcp_peek(f, tail, room, hdrs);
		if (n > 0)
			tcp_segments_commit(c, f, (size_t)n);
		link_direct_end(c);
		if (n == -EAGAIN) {
			f->tcp.flags |= TCP_F_RX_DRY;
			return;
		}
		if (n < 0) {
			tcp_reset_both(c, f);
			return;
		}
		if (!n) {
			tcp_send_fin(c, f);
			return;
		}
		if ((size_t)n < room) {		/* drained until the next edge */
			if (!(f->tcp.flags & TCP_F_RDHUP))
				f->tcp.flags |= TCP_F_RX_DRY;	/* else: EOF next */
			return;
		}
	}
}

/**
 * tcp_sock_event() - Events on a flow's host socket
 * @c:		Execution context
 * @f:		Flow
 * @events:	epoll events
 */
void tcp_sock_event(struct ctx *c, struct flow *f, uint32_t events)
{
	struct tcp_conn *t = &f->tcp;
	uint32_t idx = flow_index(&c->flows, f);

	if (t->state == TCPS_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			tcp_connect_done(c, f);
		return;
	}
	if (events & EPOLLERR) {
		int e = 0;
		socklen_t sl = sizeof(e);

		getsockopt(f->sock, SOL_SOCKET, SO_ERROR, &e, &sl);
		if (e) {
			debug_ratelimited("tcp: host socket: %s", strerror(e));
			tcp_reset_both(c, f);
			return;
		}
	}
	if (events & (EPOLLRDHUP | EPOLLHUP))
		t->flags |= TCP_F_RDHUP;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		t->flags &= (uint16_t)~TCP_F_RX_DRY;
	if (events & EPOLLOUT && t->flags & TCP_F_WANT_OUT) {
		t->flags &= (uint16_t)~(TCP_F_WANT_OUT | TCP_F_WND_KNOWN);
		epoll_mod(c, f->sock, EPOLLIN | EPOLLRDHUP | EPOLLET,
			  EPOLL_REF(EPOLL_TYPE_FLOW, idx));
		tcp_ack_later(f, idx);		/* window update */
		if (t->ooo && (tcp_ooo_flush(c, f) || tcp_close_if_done(c, f)))
			return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
		tcp_data_to_guest(c, f);
		if (flow_at(&c->flows, idx) != f)
			return;
	}
	tcp_idle_refresh(c, f);
	tcp_timers_update(c, f);
}

/**
 * tcp_probe() - Send a zero window or keepalive probe: an ACK for the byte
 * before snd_nxt, which the guest answers with an ACK
 * @c:		Execution context
 * @f:		Flow, nothing in flight
 */
static void tcp_probe(struct ctx *c, struct flow *f)
{
	f->tcp.snd_nxt--;
	tcp_send_ctl(c, f, TCP_ACK);
	f->tcp.snd_nxt++;
}

/**
 * tcp_keepalive_start() - The guest was silent for TCP_KEEPALIVE_S: probe
 * @c:		Execution context
 * @f:		Flow, established, nothing in flight, window open
 */
static void tcp_keepalive_start(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;

	t->flags |= TCP_F_KEEPALIVE;
	t->retries = 0;
	t->rto_ms = TCP_RTO_MIN_MS;
	t->rto_at = c->now + t->rto_ms;
	tcp_probe(c, f);
}

/**
 * tcp_retransmit() - The retransmission timer fired
 * @c:		Execution context
 * @f:		Flow
 */
static void tcp_retransmit(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;

	t->rto_at = 0;
	t->rto_ms = MIN(t->rto_ms * 2, TCP_RTO_MAX_MS);
	if (t->state == TCPS_SYN_ACK_SENT || t->state == TCPS_SYN_SENT) {
		if (++t->retries > TCP_MAX_RETRIES) {
			tcp_close(c, f, true);
			return;
		}
		tcp_send_ctl(c, f, t->state == TCPS_SYN_SENT ?
				   TCP_SYN : TCP_SYN | TCP_ACK);
		t->rto_at = c->now + t->rto_ms;
		return;
	}
	if (t->snd_nxt == t->snd_una) {
		if (t->snd_wnd && !(t->flags & TCP_F_KEEPALIVE))
			return;
		if (++t->retries > TCP_MAX_RETRIES) {
			debug_ratelimited("tcp: guest stopped answering "
					  "probes, resetting");
			tcp_reset_both(c, f);
			return;
		}
		tcp_probe(c, f);
		return;
	}
	if (++t->retries > TCP_MAX_RETRIES) {
		debug_ratelimited("tcp: guest stopped acknowledging, "
				  "resetting");
		tcp_reset_both(c, f);
		return;
	}
	tcp_rewind(f);
	tcp_data_to_guest(c, f);
}

/**
 * tcp_timer() - A flow's deadline passed: time out or retransmit
 * @c:		Execution context
 * @f:		Flow
 */
void tcp_timer(struct ctx *c, struct flow *f)
{
	struct tcp_conn *t = &f->tcp;
	uint32_t idx = flow_index(&c->flows, f);

	if (t->idle_at <= c->now) {
		debug_ratelimited("tcp: flow %u timed out in state %u", idx,
				  t->state);
		if (t->state == TCPS_CONNECTING) {
			t->snd_nxt = 0;
			tcp_send_ctl(c, f, TCP_RST | TCP_ACK);
			tcp_close(c, f, true);
		} else {
			tcp_reset_both(c, f);
		}
		return;
	}
	if (t->rto_at && t->rto_at <= c->now) {
		tcp_retransmit(c, f);
		if (flow_at(&c->flows, idx) != f)
			return;
	} else if (tcp_keepalive_at(t) && tcp_keepalive_at(t) <= c->now) {
		tcp_keepalive_start(c, f);
	}
	tcp_timers_update(c, f);
}

/**
 * tcp_drain_flush() - Drop the bytes guests acknowledged in this batch
 * @c:		Execution context
 */
static void tcp_drain_flush(struct ctx *c)
{
	uint32_t i;

	for (i = 0; i < tcp.n_drain; i++) {
		struct flow *f = flow_at(&c->flows, tcp.drain_list[i]);

		if (!f || f->key.proto != FLOW_TCP ||
		    !(f->tcp.flags & TCP_F_DRAIN))
			continue;
		f->tcp.flags &= (uint16_t)~TCP_F_DRAIN;
		if (f->tcp.drain && tcp_drain_acked(f, f->tcp.drain))
			tcp_reset_both(c, f);
	}
	tcp.n_drain = 0;
}

/**
 * tcp_batch_end() - Send the ACKs owed after a batch of guest frames
 * @c:		Execution context
 */
void tcp_batch_end(struct ctx *c)
{
	uint32_t i;

	tcp_rx_flush(c);
	tcp_drain_flush(c);
	for (i = 0; i < tcp.n_ack; i++) {
		struct flow *f = flow_at(&c->flows, tcp.ack_list[i]);

		if (!f || f->key.proto != FLOW_TCP ||
		    !(f->tcp.flags & TCP_F_ACK_PENDING))
			continue;
		if (tcp_send_ctl(c, f, TCP_ACK))
			break;			/* no room: the timer helps */
		if (f->tcp.flags & TCP_F_LOW_WND &&
		    !(f->tcp.flags & TCP_F_WANT_OUT)) {
			f->tcp.flags |= TCP_F_WANT_OUT;
			epoll_mod(c, f->sock,
				  EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				  EPOLL_REF(EPOLL_TYPE_FLOW, tcp.ack_list[i]));
		}
	}
	for (; i < tcp.n_ack; i++) {		/* left over: clear the marks */
		struct flow *f = flow_at(&c->flows, tcp.ack_list[i]);

		if (f && f->key.proto == FLOW_TCP)
			f->tcp.flags &= (uint16_t)~TCP_F_ACK_PENDING;
	}
	tcp.n_ack = 0;
}

/**
 * tcp_tx_resume() - Let flows stopped by a full link queue send again
 * @c:		Execution context
 *
 * Return: true if flows are still waiting for room
 */
bool tcp_tx_resume(struct ctx *c)
{
	uint32_t n = tcp.n_tx, i;

	for (i = 0; i < n; i++) {
		struct flow *f = flow_at(&c->flows, tcp.tx_list[i]);

		if (!f || f->key.proto != FLOW_TCP ||
		    !(f->tcp.flags & TCP_F_WANT_TX))
			continue;
		f->tcp.flags &= (uint16_t)~TCP_F_WANT_TX;
		if (f->tcp.flags & TCP_F_SOCK_EOF &&
		    !(f->tcp.flags & TCP_F_FIN_SENT))
			tcp_send_fin(c, f);
		else
			tcp_data_to_guest(c, f);
	}
	memmove(tcp.tx_list, tcp.tx_list + n,
		(tcp.n_tx - n) * sizeof(*tcp.tx_list));
	tcp.n_tx -= n;
	return tcp.n_tx > 0;
}

/**
 * tcp_open_inbound() - Start a flow toward the guest for an accepted client
 * @c:		Execution context
 * @s:		Accepted socket, owned from now on
 * @ss:		Client's address
 * @v6:		Reach the guest's IPv6 address
 * @guest_port:	Port in the guest
 */
static void tcp_open_inbound(struct ctx *c, int s,
			     const struct sockaddr_storage *ss, bool v6,
			     uint16_t guest_port)
{
	struct flow_key key = { .proto = FLOW_TCP, .guest_port = guest_port };
	int one = 1, zero = 0;
	struct flow *f = NULL;

	inany_from_sockaddr(&key.remote_addr, &key.remote_port, ss);
	fwd_remote_addr(c, &key.remote_addr);
	fwd_guest_addr(c, v6, &key.guest_addr);

	/* two clients the guest would see alike get different ports */
	if (c->link.type != LINK_NONE &&
	    !fwd_flow_key(c, &key, ss, NULL, &f))
		f = flow_insert(c, &key);
	if (!f) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
		return;
	}
	f->sock = s;
	f->tcp.state = TCPS_SYN_SENT;
	f->tcp.isn = tcp_isn(c, &key);
	f->tcp.snd_una = f->tcp.isn;
	f->tcp.snd_nxt = f->tcp.snd_max = f->tcp.isn + 1;
	f->tcp.mss = tcp_mss_max(c, v6);
	f->tcp.flags = TCP_F_WSCALE | TCP_F_SACK; /* offered; kept if answered */
	f->tcp.rto_ms = TCP_RTO_MIN_MS * 5;
	f->tcp.guest_at = c->now;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		f->tcp.flags |= TCP_F_PEEK_OFF;
	if (epoll_add(c, s, EPOLLIN | EPOLLRDHUP | EPOLLET,
		      EPOLL_REF(EPOLL_TYPE_FLOW, flow_index(&c->flows, f)))) {
		tcp_close(c, f, true);
		return;
	}
	tcp_send_ctl(c, f, TCP_SYN);
	tcp_idle_refresh(c, f);
	tcp_timers_update(c, f);
}

/**
 * tcp_fwd_accept() - Accept clients on a forwarded port
 * @c:		Execution context
 * @lfd:	Listening socket
 * @v6:		IPv6 socket
 * @guest_port:	Port in the guest
 */
void tcp_fwd_accept(struct ctx *c, int lfd, bool v6, uint16_t guest_port)
{
	int i;

	for (i = 0; i < TCP_ACCEPT_BUDGET; i++) {
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof(ss);
		int s = accept4(lfd, (struct sockaddr *)&ss, &sl,
				SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (s < 0)
			return;
		tcp_open_inbound(c, s, &ss, v6, guest_port);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_tcp.c - libFuzzer target: merd's TCP state machine (tcp.c), driven
 * by guest segments and by a fake host socket layer (fuzz_sock.c) whose
 * every answer the input decides
 *
 * An input is a series of operations. Each starts with one byte:
 *
 *	bits 0-3  operation (below)
 *	bits 4-6  slot: which connection (0-3 the guest's own, to port 80 of
 *		  the peer, odd ones over IPv6; 4-7 clients of a forwarded
 *		  port, known once merd sent the guest their SYN)
 *	bit 7     no batch end after it: the next operation joins the batch
 *
 * and takes the bytes after it as arguments (missing ones read as 0):
 *
 *	SEG	 flags, sel, seq delta, ack delta, window (2), length (2):
 *		 a guest segment. sel bits 0-1 pick what the acknowledgement
 *		 is relative to (snd_una, snd_nxt, snd_max, ISN + 1 of the
 *		 flow); bit 2 multiplies both deltas by 1024; bit 3 adds MSS
 *		 (2 bytes) and window scale (1 byte, 0xff for none) options;
 *		 bit 4 adds raw option bytes (a count, then the bytes). The
 *		 sequence number is rcv_nxt plus the delta; a SYN of no flow
 *		 yet (or the answer to merd's SYN) picks a new guest ISN near
 *		 the 2^32 wrap. The payload is the guest's stream pattern at
 *		 the offset of the sequence number.
 *	DATA	 count (2), shift, then: the host peer sends count << (shift
 *		 & 7) bytes, up to FZ_RX_MAX (2 MiB) queued: three flows fill
 *		 the guest link's queue; shift bit 7 also signals EPOLLIN
 *	EOF	 event bits: the host peer closes its side (then the events)
 *	ERR	 code: the next socket call fails with an error from a table;
 *		 bit 7 sets SO_ERROR instead, bit 6 also signals EPOLLERR
 *	ROOM	 count (2), shift: how much send() takes from now on
 *	WND	 sndbuf (2), outq (2), in units of 64 bytes: what the window
 *		 merd advertises is computed from
 *	CONNECT	 code: what the next connect() does (0 at once, in progress,
 *		 refused, unreachable, ...); bit 7: the next socket() fails
 *	EVENT	 bits: IN, OUT, ERR, HUP, RDHUP on the slot's socket
 *	TICK	 ms (2) times 8: time passes, the flow timer runs
 *	ACCEPT	 client byte: a client connects to a forwarded port
 *	LINK	 bit 0: the guest stops reading (its link queue fills) or
 *		 reads again
 *
 * Operations 11-15 are SEG too. After each operation (bit 7 aside) the
 * batch ends as in main_batch_end(), and what merd sent the guest is read
 * and checked: IP and TCP checksums right, payload equal to the host
 * peer's stream at the offset its sequence number says, and no segment
 * but the last of a burst (PSH) under FZ_MSS_MIN bytes: a guest announcing
 * a tiny MSS must not make merd cut a stream into crumbs. The fake socket
 * layer checks the other direction, and after each input no fake socket
 * may be left open once merd closed all flows (a leak).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "eth.h"
#include "flow.h"
#include "fuzz.h"
#include "fuzz_frame.h"
#include "fuzz_sock.h"
#include "inany.h"
#include "link.h"
#include "merd.h"
#include "tcp.h"
#include "util.h"

#define FUZZ_FLOWS	16
#define FZ_SLOTS	8
#define FZ_INBOUND	4		/* first slot of forwarded clients */
#define FZ_PAYLOAD_MAX	3000
#define FZ_GUEST_PORT	40000
#define FZ_FWD_PORT	8000
#define FZ_MSS_MIN	48	/* smallest MSS a sender should honour */
#define FZ_RX_MAX	(2ULL << 20)	/* host data queued per socket, at most */

enum fz_op {
	OP_SEG, OP_DATA, OP_EOF, OP_ERR, OP_ROOM, OP_WND, OP_CONNECT,
	OP_EVENT, OP_TICK, OP_ACCEPT, OP_LINK,
};

#define OP_NO_BATCH	0x80

/**
 * struct fz_slot - A connection as the fake guest sees it
 * @known:	Addresses and ports are set
 * @v6:		IPv6
 * @guest:	Guest's address (first 4 bytes for IPv4)
 * @remote:	Peer's address as the guest sees it
 * @guest_port:	Guest's port
 * @remote_port: Peer's port
 * @guest_isn:	Sequence number of the guest's SYN
 * @our_isn:	Sequence number of merd's SYN, valid with @our_isn_known
 * @our_isn_known: merd sent a SYN on this slot
 */
struct fz_slot {
	bool known;
	bool v6;
	uint8_t guest[16];
	uint8_t remote[16];
	uint16_t guest_port;
	uint16_t remote_port;
	uint32_t guest_isn;
	uint32_t our_isn;
	bool our_isn_known;
};

/**
 * struct fz_input - An input being read
 * @p:		Next byte
 * @end:	End of the input
 */
struct fz_input {
	const uint8_t *p;
	const uint8_t *end;
};

static struct fz_slot slots[FZ_SLOTS];
static struct fz_sock *fz_listener;
static bool link_blocked;
static bool verbose;		/* MERD_FUZZ_VERBOSE: segments to the guest */

static const int fz_errors[] = {
	ECONNRESET, EPIPE, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNREFUSED,
	ENOBUFS, EAGAIN,
};
static const int fz_connects[] = {
	EINPROGRESS, 0, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ETIMEDOUT,
	EACCES, EADDRNOTAVAIL,
};

/**
 * in_u8() - Next byte of the input
 * @in:		Input
 *
 * Return: the byte, 0 past the end
 */
static uint8_t in_u8(struct fz_input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

/**
 * in_u16() - Next two bytes of the input, big-endian
 * @in:		Input
 *
 * Return: the value, missing bytes read as 0
 */
static uint16_t in_u16(struct fz_input *in)
{
	uint16_t hi = in_u8(in);

	return (uint16_t)(hi << 8 | in_u8(in));
}

/**
 * LLVMFuzzerInitialize() - Fake sockets on, then the harness
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * MERD_FUZZ_NO_PEEK_OFF in the environment makes SO_PEEK_OFF fail, as on
 * kernels before 6.9, for the whole run: tcp_init() probes it once.
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_conf.active = true;
	fz_conf.peek_off_ok = !getenv("MERD_FUZZ_NO_PEEK_OFF");
	verbose = getenv("MERD_FUZZ_VERBOSE") != NULL;
	return fuzz_init(FUZZ_FLOWS, 0);
}

/**
 * fz_slots_reset() - The guest's own connections known, clients not yet
 */
static void fz_slots_reset(void)
{
	int i;

	memset(slots, 0, sizeof(slots));
	for (i = 0; i < FZ_SLOTS; i++) {
		struct fz_slot *s = &slots[i];

		s->v6 = i & 1;
		s->guest_isn = 0xfffff000U + (uint32_t)i * 0x100;
		if (i >= FZ_INBOUND) {
			s->guest_port = (uint16_t)(FZ_FWD_PORT + i - FZ_INBOUND);
			continue;
		}
		s->known = true;
		s->guest_port = (uint16_t)(FZ_GUEST_PORT + i);
		s->remote_port = FUZZ_TCP_PORT;
		if (s->v6) {
			inet_pton(AF_INET6, H_GUEST_ADDR6, s->guest);
			inet_pton(AF_INET6, FUZZ_LOCAL_ADDR6, s->remote);
		} else {
			inet_pton(AF_INET, H_GUEST_ADDR, s->guest);
			inet_pton(AF_INET, FUZZ_LOCAL_ADDR, s->remote);
		}
	}
}

/**
 * fz_flow() - The flow of a slot, if merd has one
 * @s:		Slot
 *
 * Return: the flow, or NULL
 */
static struct flow *fz_flow(const struct fz_slot *s)
{
	struct flow_key k;
	struct in_addr a;

	if (!s->known)
		return NULL;
	memset(&k, 0, sizeof(k));
	k.proto = FLOW_TCP;
	k.guest_port = s->guest_port;
	k.remote_port = s->remote_port;
	if (s->v6) {
		memcpy(&k.guest_addr, s->guest, 16);
		memcpy(&k.remote_addr, s->remote, 16);
	} else {
		memcpy(&a, s->guest, 4);
		inany_from_v4(&k.guest_addr, a);
		memcpy(&a, s->remote, 4);
		inany_from_v4(&k.remote_addr, a);
	}
	return flow_lookup(&fuzz_h.c.flows, &k);
}

/**
 * fz_pseudo() - Sum of a TCP pseudo-header
 * @v6:		IPv6
 * @src:	Source address
 * @dst:	Destination address
 * @len:	TCP length
 *
 * Return: the sum, to start the checksum from
 */
static uint32_t fz_pseudo(bool v6, const uint8_t *src, const uint8_t *dst,
			  size_t len)
{
	size_t alen = v6 ? 16 : 4, i;
	uint32_t sum = IPPROTO_TCP + (uint32_t)(len >> 16) +
		       (uint32_t)(len & 0xffff);

	for (i = 0; i < alen; i += 2)
		sum += (uint32_t)rd16(src + i) + rd16(dst + i);
	return sum;
}

/**
 * fz_ip_hdr() - Write the IP header of a guest segment
 * @ip:		Where it goes
 * @s:		Slot
 * @l4_len:	TCP header, options and payload
 *
 * Return: the header's length
 */
static size_t fz_ip_hdr(uint8_t *ip, const struct fz_slot *s, size_t l4_len)
{
	if (s->v6) {
		wr32(ip, 0x60000000U);
		wr16(ip + 4, (uint16_t)l4_len);
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, s->guest, 16);
		memcpy(ip + 24, s->remote, 16);
		return 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + l4_len));
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, s->guest, 4);
	memcpy(ip + 16, s->remote, 4);
	wr16(ip + 10, h_csum_ref(ip, 20, 0));
	return 20;
}

/**
 * fz_opts() - Read the options a SEG operation asks for
 * @in:		Input, after the fixed arguments
 * @sel:	The operation's sel byte
 * @o:		Where the options go, 40 bytes
 *
 * Return: options length, a multiple of 4
 */
static size_t fz_opts(struct fz_input *in, uint8_t sel, uint8_t *o)
{
	size_t n = 0, raw, i;

	if (sel & 0x08) {
		uint16_t mss = in_u16(in);
		uint8_t ws = in_u8(in);

		o[n++] = 2;
		o[n++] = 4;
		wr16(o + n, mss);
		n += 2;
		if (ws != 0xff) {
			o[n++] = 1;
			o[n++] = 3;
			o[n++] = 3;
			o[n++] = ws;
		}
	}
	if (sel & 0x10) {
		raw = in_u8(in) % (40 - n + 1);
		for (i = 0; i < raw; i++)
			o[n++] = in_u8(in);
	}
	while (n % 4)
		o[n++] = 0;		/* end of options */
	return n;
}

/**
 * fz_seq_ack() - Sequence and acknowledgement numbers of a segment
 * @s:		Slot, guest ISN updated for a new SYN
 * @f:		Its flow, NULL if none
 * @flags:	Control bits
 * @sel:	The operation's sel byte
 * @deltas:	Sequence delta (high byte), acknowledgement delta (low)
 * @ack:	Set to the acknowledgement number
 *
 * Return: the sequence number
 */
static uint32_t fz_seq_ack(struct fz_slot *s, const struct flow *f,
			   uint8_t flags, uint8_t sel, uint16_t deltas,
			   uint32_t *ack)
{
	int32_t ds = deltas >> 8, da = deltas & 0xff;
	uint32_t base;

	ds -= ds > 127 ? 256 : 0;		/* signed bytes */
	da -= da > 127 ? 256 : 0;

	if (sel & 0x04) {
		ds *= 1024;
		da *= 1024;
	}
	if (flags & 0x02 && (!f || f->tcp.state == TCPS_SYN_SENT)) {
		s->guest_isn = 0xfffff000U + (uint32_t)(deltas >> 8) * 16;
		base = s->our_isn + 1;
		*ack = base + (uint32_t)da;
		return s->guest_isn;
	}
	if (!f) {
		*ack = s->our_isn + 1 + (uint32_t)da;
		return s->guest_isn + 1 + (uint32_t)ds;
	}
	switch (sel & 3) {
	case 0: base = f->tcp.snd_una; break;
	case 1: base = f->tcp.snd_nxt; break;
	case 2: base = f->tcp.snd_max; break;
	default: base = f->tcp.isn + 1; break;
	}
	*ack = base + (uint32_t)da;
	return f->tcp.rcv_nxt + (uint32_t)ds;
}

/* Frames of a batch, kept as the link keeps them in its receive buffer:
 * TCP gathers their payload and writes it at the end of the batch */
#define FZ_FRAME_LEN	(ETH_HDR_LEN + 40 + 60 + FZ_PAYLOAD_MAX)
#define FZ_FRAMES	8
static uint8_t fz_frames[FZ_FRAMES][FZ_FRAME_LEN];
static unsigned int fz_frames_used;

/**
 * fz_frame_slot() - Where the next guest frame is built: as link_rx_slot(),
 * the gathered payload is written before the frames are used again
 *
 * Return: FZ_FRAME_LEN bytes
 */
static uint8_t *fz_frame_slot(void)
{
	if (fz_frames_used == FZ_FRAMES) {
		tcp_rx_flush(&fuzz_h.c);
		fz_frames_used = 0;
	}
	return fz_frames[fz_frames_used++];
}

/**
 * fz_segment() - SEG: build a guest segment, hand it to eth_input()
 * @in:		Input, at the operation's arguments
 * @s:		Slot
 */
static void fz_segment(struct fz_input *in, struct fz_slot *s)
{
	uint8_t *f = fz_frame_slot();
	uint8_t flags = in_u8(in), sel = in_u8(in), opts[40], *ip, *th;
	uint16_t deltas = in_u16(in), wnd = in_u16(in);
	size_t len = in_u16(in) % (FZ_PAYLOAD_MAX + 1), olen, hl, i;
	uint32_t seq, ack;

	olen = fz_opts(in, sel, opts);
	if (!s->known)
		return;
	seq = fz_seq_ack(s, fz_flow(s), flags, sel, deltas, &ack);
	h_eth(f, h_our_mac, h_guest_mac,
	      s->v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	ip = f + ETH_HDR_LEN;
	hl = fz_ip_hdr(ip, s, 20 + olen + len);
	th = ip + hl;
	wr16(th, s->guest_port);
	wr16(th + 2, s->remote_port);
	wr32(th + 4, seq);
	wr32(th + 8, ack);
	th[12] = (uint8_t)(((20 + olen) / 4) << 4);
	th[13] = flags & 0x3f;
	wr16(th + 14, wnd);
	memset(th + 16, 0, 4);
	memcpy(th + 20, opts, olen);
	for (i = 0; i < len; i++)	/* the guest's stream, as from seq */
		th[20 + olen + i] = fz_guest_byte(seq - s->guest_isn - 1 + i);
	wr16(th + 16, h_csum_ref(th, 20 + olen + len,
				 fz_pseudo(s->v6, s->guest, s->remote,
					   20 + olen + len)));
	eth_input(&fuzz_h.c, f, ETH_HDR_LEN + hl + 20 + olen + len);
}

/**
 * fz_check_payload() - Check data merd sent the guest against the host
 * peer's stream
 * @s:		Slot
 * @seq:	Sequence number of the segment
 * @p:		Payload
 * @len:	Its length
 */
static void fz_check_payload(const struct fz_slot *s, uint32_t seq,
			     const uint8_t *p, size_t len)
{
	const struct flow *f = fz_flow(s);
	uint32_t off = seq - s->our_isn - 1, alt;
	size_t i;

	/* a SYN-ACK lost to a full link leaves the ISN unseen: the flow's */
	alt = f ? seq - f->tcp.isn - 1 : off;
	if (!s->our_isn_known && !f)
		return;
	for (i = 0; i < len; i++) {
		if ((s->our_isn_known && p[i] == fz_host_byte(off + i)) ||
		    p[i] == fz_host_byte(alt + i))
			continue;
		fprintf(stderr, "fuzz_tcp: slot %d: byte %zu of segment %u "
			"(stream offset %u) is not the host peer's\n",
			(int)(s - slots), i, seq, off);
		abort();
	}
}

/**
 * fz_slot_of() - The slot a segment to the guest belongs to
 * @v6:		IPv6
 * @ip:		Its IP header
 * @th:		Its TCP header
 *
 * Return: the slot, learning a client's addresses from merd's SYN, or NULL
 */
static struct fz_slot *fz_slot_of(bool v6, const uint8_t *ip,
				  const uint8_t *th)
{
	const uint8_t *src = ip + (v6 ? 8 : 12), *dst = ip + (v6 ? 24 : 16);
	size_t alen = v6 ? 16 : 4;
	int i;

	for (i = 0; i < FZ_SLOTS; i++) {
		struct fz_slot *s = &slots[i];

		if (s->v6 != v6 || s->guest_port != rd16(th + 2))
			continue;
		if (!s->known && (th[13] & 0x12) == 0x02) {
			memcpy(s->guest, dst, alen);
			memcpy(s->remote, src, alen);
			s->remote_port = rd16(th);
			s->known = true;
		}
		if (s->known && s->remote_port == rd16(th) &&
		    !memcmp(s->remote, src, alen) &&
		    !memcmp(s->guest, dst, alen))
			return s;
	}
	return NULL;
}

/**
 * fz_tcp_check() - Check one TCP segment merd sent the guest
 * @fr:		Frame
 * @len:	Its length
 */
static void fz_tcp_check(const uint8_t *fr, size_t len)
{
	const uint8_t *ip = fr + ETH_HDR_LEN, *th;
	bool v6 = len >= ETH_HDR_LEN + 40 && rd16(fr + 12) == ETHERTYPE_IPV6;
	size_t hl, l4, plen;
	struct fz_slot *s;

	if (v6) {
		hl = 40;
		l4 = rd16(ip + 4);
		if (ip[6] != IPPROTO_TCP)
			return;
	} else if (len >= ETH_HDR_LEN + 20 && rd16(fr + 12) == ETHERTYPE_IP) {
		hl = (size_t)(ip[0] & 0x0f) * 4;
		if (h_csum_ref(ip, hl, 0) || rd16(ip + 2) < hl)
			abort();		/* bad IPv4 header checksum */
		l4 = rd16(ip + 2) - hl;
		if (ip[9] != IPPROTO_TCP)
			return;
	} else {
		return;
	}
	th = ip + hl;
	if (ETH_HDR_LEN + hl + l4 > len || l4 < 20 ||
	    h_csum_ref(th, l4, fz_pseudo(v6, ip + (v6 ? 8 : 12),
					 ip + (v6 ? 24 : 16), l4)))
		abort();			/* TCP length or checksum bad */
	s = fz_slot_of(v6, ip, th);
	if (verbose)
		fprintf(stderr, "fuzz_tcp: to guest port %u: flags %#x seq %u "
			"ack %u wnd %u len %zu\n", rd16(th + 2), th[13],
			rd32(th + 4), rd32(th + 8), rd16(th + 14),
			l4 - (size_t)(th[12] >> 4) * 4);
	if (!s)
		return;
	if (th[13] & 0x02) {
		s->our_isn = rd32(th + 4);
		s->our_isn_known = true;
	}
	plen = l4 - (size_t)(th[12] >> 4) * 4;
	if (plen && plen < FZ_MSS_MIN && !(th[13] & 0x08)) {
		fprintf(stderr, "fuzz_tcp: a %zu-byte segment that is not the "
			"last of its burst: MSS below %d\n", plen, FZ_MSS_MIN);
		abort();
	}
	fz_check_payload(s, rd32(th + 4), th + (size_t)(th[12] >> 4) * 4, plen);
}

/**
 * fz_output() - Read and check what merd sent the guest, unless the guest
 * stopped reading; where the link was full, tell merd it is writable
 * again, as the event loop does on EPOLLOUT
 *
 * Return: true if the link was unblocked: the batch is to end again
 */
static bool fz_output(void)
{
	static uint8_t fr[LINK_FRAME_MAX];
	struct ctx *c = &fuzz_h.c;
	bool woke = false;
	int len;

	while (!link_blocked) {
		if (c->link.tx_blocked) {
			link_event_out(c);
			woke = true;
		}
		len = harness_recv(&fuzz_h, fr, sizeof(fr));
		if (len < 0)
			break;
		fz_check_frame(fr, (size_t)len);	/* any protocol */
		fz_tcp_check(fr, (size_t)len);
	}
	return woke;
}

/**
 * fz_batch_end() - End a batch as main_batch_end() does, check the output;
 * again while the guest's reading unblocks the link
 */
static void fz_batch_end(void)
{
	struct ctx *c = &fuzz_h.c;
	int rounds, again = 0;

	do {
		tcp_batch_end(c);
		fz_frames_used = 0;	/* as link_rx_done() */
		link_tx_flush(c);
		for (rounds = 0; rounds < 8 && !c->link.tx_blocked; rounds++) {
			bool more = tcp_tx_resume(c);

			link_tx_flush(c);
			if (!more)
				break;
		}
	} while (fz_output() && ++again < 64);
}

/**
 * fz_events() - Signal epoll events on a slot's socket, as the loop would
 * @s:		Slot
 * @bits:	IN, OUT, ERR, HUP, RDHUP in bits 0-4
 */
static void fz_events(const struct fz_slot *s, uint8_t bits)
{
	static const uint32_t map[] = {
		EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP,
	};
	struct flow *f = fz_flow(s);
	uint32_t ev = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (bits & (1U << i))
			ev |= map[i];
	if (f && ev)
		tcp_sock_event(&fuzz_h.c, f, ev);
}

/**
 * fz_sock() - The fake socket of a slot's flow
 * @s:		Slot
 *
 * Return: the fake socket, or NULL if the slot has no flow
 */
static struct fz_sock *fz_sock(const struct fz_slot *s)
{
	struct flow *f = fz_flow(s);

	return f ? fz_sock_of(f->sock) : NULL;
}

/**
 * fz_peer_op() - DATA, EOF, ERR, ROOM, WND: the host peer acts
 * @in:		Input, at the arguments
 * @op:		Operation
 * @s:		Slot
 */
static void fz_peer_op(struct fz_input *in, enum fz_op op,
		       const struct fz_slot *s)
{
	uint16_t a = op == OP_EOF || op == OP_ERR ? in_u8(in) : in_u16(in);
	uint8_t b = op == OP_DATA || op == OP_ROOM ? in_u8(in) : 0;
	uint16_t w = op == OP_WND ? in_u16(in) : 0;
	struct fz_sock *k = fz_sock(s);

	if (!k)
		return;
	switch (op) {
	case OP_DATA:
		k->rx_total = MIN(k->rx_total + ((uint64_t)a << (b & 7)),
				  k->rx_head + FZ_RX_MAX);
		fz_events(s, b & 0x80 ? 1 : 0);
		break;
	case OP_EOF:
		k->rx_eof = true;
		fz_events(s, (uint8_t)a);
		break;
	case OP_ERR:
		if (a & 0x80)
			k->so_error = fz_errors[a % ARRAY_SIZE(fz_errors)];
		else
			k->err = fz_errors[a % ARRAY_SIZE(fz_errors)];
		fz_events(s, a & 0x40 ? 4 : 0);
		break;
	case OP_ROOM:
		k->send_room = (size_t)a << (b & 7);
		break;
	default:
		k->sndbuf = (int)a * 64;
		k->outq = (int)w * 64;
		break;
	}
}

/**
 * fz_accept() - ACCEPT: a client connects to the slot's forwarded port
 * @in:		Input, at the argument
 * @s:		Slot, a forwarded client's
 */
static void fz_accept(struct fz_input *in, const struct fz_slot *s)
{
	struct sockaddr_in6 *a6;
	struct sockaddr_in *a4;
	uint8_t client = in_u8(in);

	if (s < &slots[FZ_INBOUND] || s->known)
		return;
	if (!fz_listener && !(fz_listener = fz_sock_listen()))
		return;
	memset(&fz_listener->peer, 0, sizeof(fz_listener->peer));
	if (s->v6) {
		a6 = (struct sockaddr_in6 *)&fz_listener->peer;
		a6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, client & 1 ? "::1" : FUZZ_LOCAL_ADDR6,
			  &a6->sin6_addr);
		a6->sin6_port = htons((uint16_t)(50000 + client));
	} else {
		a4 = (struct sockaddr_in *)&fz_listener->peer;
		a4->sin_family = AF_INET;
		inet_pton(AF_INET, client & 1 ? "127.0.0.1" : FUZZ_LOCAL_ADDR,
			  &a4->sin_addr);
		a4->sin_port = htons((uint16_t)(50000 + client));
	}
	fz_listener->accepts = 1;
	tcp_fwd_accept(&fuzz_h.c, fz_listener->fd, s->v6, s->guest_port);
}

/**
 * fz_op() - Run one operation
 * @in:		Input, at the operation's byte
 */
static void fz_op(struct fz_input *in)
{
	uint8_t b = in_u8(in);
	struct fz_slot *s = &slots[(b >> 4) & 7];
	enum fz_op op = (enum fz_op)(b & 0x0f);
	struct ctx *c = &fuzz_h.c;
	uint8_t a;

	switch (op) {
	case OP_DATA: case OP_EOF: case OP_ERR: case OP_ROOM: case OP_WND:
		fz_peer_op(in, op, s);
		break;
	case OP_CONNECT:
		a = in_u8(in);
		fz_conf.connect_err = fz_connects[a % ARRAY_SIZE(fz_connects)];
		fz_conf.socket_err = a & 0x80 ? EMFILE : 0;
		break;
	case OP_EVENT:
		fz_events(s, in_u8(in));
		break;
	case OP_TICK:
		c->now += (uint64_t)in_u16(in) * 8;
		flow_timer(c);
		break;
	case OP_ACCEPT:
		fz_accept(in, s);
		break;
	case OP_LINK:
		link_blocked = in_u8(in) & 1;
		break;
	default:
		fz_segment(in, s);
		break;
	}
	if (!(b & OP_NO_BATCH))
		fz_batch_end();
}

/**
 * fz_end_input() - Close every flow, check that no socket was leaked,
 * forget all state
 */
static void fz_end_input(void)
{
	struct ctx *c = &fuzz_h.c;

	link_blocked = false;
	fz_batch_end();
	c->now += 86400ULL * 1000;		/* a day later: all expire */
	flow_timer(c);
	fz_output();
	harness_reset(&fuzz_h);
	if (fz_sock_connected()) {
		fprintf(stderr, "fuzz_tcp: %d sockets left open with no flow\n",
			fz_sock_connected());
		abort();
	}
	fz_sock_close_all();
	fz_listener = NULL;
	fz_conf.socket_err = 0;
	fz_conf.connect_err = EINPROGRESS;
}

/**
 * LLVMFuzzerTestOneInput() - Run one input's operations, then clean up
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { .p = data, .end = data + size };

	fz_slots_reset();
	fz_conf.connect_err = EINPROGRESS;
	while (in.p < in.end)
		fz_op(&in);
	fz_end_input();
	return 0;
}

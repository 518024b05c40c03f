/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation: merd is the guest's peer, a host socket the rest */
#ifndef MERD_TCP_H
#define MERD_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults of --tcp-syn-timeout, --tcp-timeout, --tcp-fin-timeout */
#define TCP_SYN_TIMEOUT_S	30	/* connect, or handshake with guest */
#define TCP_IDLE_TIMEOUT_S	7200	/* established, no traffic at all */
#define TCP_HALF_TIMEOUT_S	600	/* one side closed, no traffic */
#define TCP_KEEPALIVE_S		30	/* guest silent: probe it */
#define TCP_RTO_MIN_MS		200
#define TCP_RTO_MAX_MS		10000
#define TCP_MAX_RETRIES		10
#define TCP_WSCALE_OURS		8	/* windows to the guest up to 16 MiB */

enum tcp_conn_state {
	TCPS_CONNECTING,		/* guest's SYN seen, host socket connecting */
	TCPS_SYN_ACK_SENT,	/* connected, SYN-ACK sent to the guest */
	TCPS_ESTABLISHED,	/* both ends up, FIN flags say what is left */
	TCPS_SYN_SENT,		/* forwarded port: SYN sent to the guest */
};

enum tcp_flag {
	TCP_F_WSCALE		= 1 << 0,	/* window scaling agreed */
	TCP_F_GUEST_FIN		= 1 << 1,	/* guest's FIN received */
	TCP_F_SOCK_EOF		= 1 << 2,	/* host socket read EOF */
	TCP_F_FIN_SENT		= 1 << 3,	/* our FIN sent to the guest */
	TCP_F_FIN_ACKED		= 1 << 4,	/* guest acknowledged it */
	TCP_F_ACK_PENDING	= 1 << 5,	/* queued for the next ACK batch */
	TCP_F_PEEK_OFF		= 1 << 6,	/* socket supports SO_PEEK_OFF */
	TCP_F_WANT_TX		= 1 << 7,	/* waits for room on the link */
	TCP_F_WANT_OUT		= 1 << 8,	/* waits for EPOLLOUT */
	TCP_F_LOW_WND		= 1 << 9,	/* little room left to advertise */
	TCP_F_RDHUP		= 1 << 10,	/* host peer shut its write side */
	TCP_F_KEEPALIVE		= 1 << 11,	/* probing a silent guest */
	TCP_F_DRAIN		= 1 << 12,	/* acked bytes to drop at batch end */
	TCP_F_RX_DRY		= 1 << 13,	/* socket read empty: wait for EPOLLIN */
	TCP_F_WND_KNOWN		= 1 << 14,	/* @wnd_free is a sound estimate */
	TCP_F_SACK		= 1 << 15,	/* SACK agreed (or offered, in
						 * TCPS_SYN_SENT) */
};

/**
 * struct tcp_conn - TCP state of one flow
 * @snd_una:	Oldest sequence sent to the guest and not acknowledged
 * @snd_nxt:	Next sequence to send to the guest
 * @snd_max:	Highest sequence sent to the guest (beyond a rewind)
 * @fin_seq:	Sequence number of our FIN, valid with TCP_F_FIN_SENT
 * @snd_wnd:	Guest's receive window, bytes
 * @rcv_nxt:	Next sequence expected from the guest
 * @isn:	Our initial sequence number
 * @mss:	Largest segment the guest takes
 * @snd_wscale:	Shift of the guest's window field
 * @state:	enum tcp_conn_state
 * @dup_acks:	Duplicate ACKs seen in a row
 * @retries:	Retransmissions without progress
 * @flags:	enum tcp_flag bits
 * @rto_ms:	Current retransmission timeout
 * @rto_at:	Retransmission deadline, 0 if nothing is in flight
 * @idle_at:	Deadline of the state or idle timeout
 * @guest_at:	When the guest last sent an acceptable segment
 * @drain:	Bytes the guest acknowledged, still at the head of the
 *		socket's receive queue until the end of the batch
 * @wnd_free:	Free send space of the socket, bytes: measured, less what
 *		was written since (a lower bound), valid with TCP_F_WND_KNOWN
 * @wnd_meas:	Free send space at that measurement
 * @ooo:	Slot holding guest data past a gap (tcp_ooo.c), 0 if none
 */
struct tcp_conn {
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;
	uint32_t fin_seq;
	uint32_t snd_wnd;
	uint32_t rcv_nxt;
	uint32_t isn;
	uint16_t mss;
	uint8_t snd_wscale;
	uint8_t state;
	uint8_t dup_acks;
	uint8_t retries;
	uint16_t flags;
	uint32_t rto_ms;
	uint64_t rto_at;
	uint64_t idle_at;
	uint64_t guest_at;
	uint32_t drain;
	uint32_t wnd_free;
	uint32_t wnd_meas;
	uint8_t ooo;
};

struct ctx;
struct flow;
struct ip_pkt;

int tcp_init(struct ctx *c);
size_t tcp_lists_bytes(void);
void tcp_input(struct ctx *c, const struct ip_pkt *pkt);
void tcp_fwd_accept(struct ctx *c, int lfd, bool v6, uint16_t guest_port);
void tcp_sock_event(struct ctx *c, struct flow *f, uint32_t events);
void tcp_timer(struct ctx *c, struct flow *f);
void tcp_batch_end(struct ctx *c);
void tcp_rx_flush(struct ctx *c);
void tcp_flow_gone(const struct flow *f);
bool tcp_tx_resume(struct ctx *c);

#endif /* MERD_TCP_H */

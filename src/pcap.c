// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - Capture of every frame on the guest link, in pcap format
 *
 * The file is opened at start, once the command line is parsed (before any
 * sandbox), in the classic pcap format with microsecond timestamps and link
 * type Ethernet, which tcpdump and Wireshark read. Each frame is written
 * whole with one writev() (continued if the file takes only part of it);
 * a frame that would take the file past its size cap stops the capture,
 * with one log line, so the file ends on a whole record. A write error
 * (a full disk) stops it too, saying how many bytes the file holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pcap.h"

#define PCAP_MAGIC		0xa1b2c3d4
#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_SNAPLEN		65535

/**
 * struct pcap_state - The capture file, one per process
 * @fd:		File, -1 when not capturing
 * @written:	Bytes written so far
 * @max:	Size cap
 */
static struct pcap_state {
	int fd;
	uint64_t written;
	uint64_t max;
} pcap = { .fd = -1 };

/**
 * pcap_open() - Create the capture file and write its header
 * @path:	File to create (truncated if it exists)
 * @max_bytes:	Stop capturing once the file is this large
 *
 * Return: 0 on success, negative errno (reported) on failure
 */
int pcap_open(const char *path, uint64_t max_bytes)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { PCAP_MAGIC, 2, 4, 0, 0, PCAP_SNAPLEN,
		  PCAP_LINKTYPE_ETHERNET };
	int rc;

	pcap.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pcap.fd < 0) {
		rc = -errno;
		err("pcap: cannot create %s: %s", path, strerror(errno));
		return rc;
	}
	if (write(pcap.fd, &hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
		rc = -errno;
		err("pcap: cannot write %s: %s", path, strerror(errno));
		pcap_close();
		return rc;
	}
	pcap.written = sizeof(hdr);
	pcap.max = max_bytes;
	return 0;
}

/**
 * pcap_writev() - Write a record whole, continuing after short writes
 * @iov:	Pieces of the record, advanced as they are written
 * @n:		Number of pieces
 *
 * Return: 0, or negative errno: the file then holds part of the record,
 * counted in pcap.written as far as it went
 */
static int pcap_writev(struct iovec *iov, int n)
{
	while (n) {
		ssize_t w = writev(pcap.fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w ? -errno : -ENOSPC;
		pcap.written += (uint64_t)w;
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/**
 * pcap_frame() - Append one frame, if capturing
 * @frame:	Ethernet frame
 * @len:	Its length
 */
void pcap_frame(const uint8_t *frame, size_t len)
{
	struct {
		uint32_t sec, usec, caplen, len;
	} rec;
	struct iovec iov[2] = {
		{ .iov_base = &rec, .iov_len = sizeof(rec) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	struct timespec ts;
	int rc;

	if (pcap.fd < 0)
		return;
	if (pcap.written + sizeof(rec) + len > pcap.max) {
		info("pcap: size cap of %llu bytes reached, capture stopped",
		     (unsigned long long)pcap.max);
		pcap_close();
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	rec.sec = (uint32_t)ts.tv_sec;
	rec.usec = (uint32_t)(ts.tv_nsec / 1000);
	rec.caplen = rec.len = (uint32_t)len;
	rc = pcap_writev(iov, 2);
	if (rc) {
		warn("pcap: write: %s, capture stopped at %llu bytes",
		     strerror(-rc), (unsigned long long)pcap.written);
		pcap_close();
	}
}

/**
 * pcap_active() - Tell whether frames are being captured
 *
 * Return: true while a capture file is open
 */
bool pcap_active(void)
{
	return pcap.fd >= 0;
}

/**
 * pcap_close() - Stop capturing and close the file
 */
void pcap_close(void)
{
	if (pcap.fd >= 0)
		close(pcap.fd);
	pcap.fd = -1;
}

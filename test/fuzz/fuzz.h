/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - What merd's libFuzzer targets share: isolation, event pump */
#ifndef MERD_FUZZ_H
#define MERD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

#define FUZZ_LOCAL_ADDR	"203.0.113.2"	/* on lo of the fuzzer's netns */
#define FUZZ_LOCAL_ADDR6 "2001:db8:2::2"
#define FUZZ_TCP_PORT	80
#define FUZZ_UDP_PORT	7

extern struct harness fuzz_h;

int fuzz_init(uint32_t max_flows, int peers);
void fuzz_pump(void);
void fuzz_output(void);
void fuzz_end_input(void);
uint32_t fuzz_last_isn(void);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MERD_FUZZ_H */

// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_conf.c - libFuzzer target: conf_parse() on arbitrary arguments
 *
 * An input is split at NUL bytes into at most FUZZ_ARGS arguments after
 * argv[0]. Accepted configurations are also rendered by
 * conf_resolv_text(), as namespace mode would.
 */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

#define FUZZ_ARGS	32
#define FUZZ_ARG_BYTES	4096

/**
 * LLVMFuzzerInitialize() - Send --help and --version text to /dev/null
 * @argc:	libFuzzer's argument count (unused)
 * @argv:	libFuzzer's arguments (unused)
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	(void)argc;
	(void)argv;
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Parse one input as a command line
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[FUZZ_ARG_BYTES + 1];
	static struct conf conf;
	char *argv[FUZZ_ARGS + 2];
	int argc = 1;
	size_t i;

	if (size > FUZZ_ARG_BYTES)
		size = FUZZ_ARG_BYTES;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "merd";
	for (i = 0; i < size && argc <= FUZZ_ARGS; i++) {
		argv[argc++] = text + i;
		i += strlen(text + i);
	}
	argv[argc] = NULL;
	optind = 0;
	opterr = 0;
	if (!conf_parse(&conf, argc, argv))
		conf_resolv_text(&conf);
	return 0;
}

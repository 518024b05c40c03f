// SPDX-License-Identifier: GPL-2.0-or-later
/* replay.c - Run a fuzz target's inputs once each, without libFuzzer: the
 * seed corpus and the crashes found (test/fuzz/regress), as regression
 * tests that make check runs with any compiler (test/fuzz_replay.bats)
 *
 * Usage: fuzz_TARGET FILE|DIR...; each directory's files run in name
 * order. A crash or a failed check of the target aborts; the exit status
 * is 0 only if at least one input ran and none failed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX	(1 << 20)	/* larger inputs are not ours */

/**
 * replay_file() - Run one input, from a buffer of exactly its size
 * @path:	File
 *
 * Return: 1 if it ran, 0 if it could not be read
 */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf, *exact;
	size_t n;

	if (!f)
		return 0;
	buf = malloc(REPLAY_MAX);
	n = buf ? fread(buf, 1, REPLAY_MAX, f) : 0;
	fclose(f);
	if (!buf)
		return 0;
	exact = realloc(buf, n ? n : 1);	/* ASan sees reads past the end */
	if (!exact) {
		free(buf);
		return 0;
	}
	buf = exact;
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

/**
 * replay_path() - Run a file, or every file of a directory in name order
 * @path:	File or directory
 *
 * Return: inputs run
 */
static int replay_path(const char *path)
{
	struct dirent **ents;
	char sub[4096];
	struct stat st;
	int n, i, ran = 0;

	if (stat(path, &st))
		return 0;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path,
			     ents[i]->d_name) < (int)sizeof(sub) &&
		    !stat(sub, &st) && S_ISREG(st.st_mode))
			ran += replay_file(sub);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return ran;
}

/**
 * main() - Set the target up, run every input named
 * @argc:	Argument count
 * @argv:	Files and directories
 *
 * Return: 0 if inputs ran (and none crashed), 1 if none did
 */
int main(int argc, char **argv)
{
	int i, ran = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		ran += replay_path(argv[i]);
	fprintf(stderr, "replay: %d inputs replayed\n", ran);
	return ran ? 0 : 1;
}

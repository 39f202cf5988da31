/*
 * main.c - `dsr`: dispatch to a subcommand, git style (`dsr <command> [options]`).
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dsr/error.h"
#include "dsr/register.h"

static const struct dsr_command commands[] = {
	{ "version", cmd_version, "print the version of dsr and libdsr" },
	{ "list", cmd_list, "list the DSR boards present (kernel devices and USB)" },
	{ "info", cmd_info, "a board's identity, status, counters and parameters; raw registers" },
	{ "upload", cmd_upload, "upload an alignment (parameters + LUT) to the board and commit" },
	{ "reference", cmd_reference, "reference upload REF: store a baseline in the board" },
	{ "acquire", cmd_acquire, "stream frames from the board to PNG files + frames.jsonl" },
	{ "stats", cmd_stats, "frame counters of a board's transport (the kernel driver's with --device)" },
	{ "calibrate", cmd_calibrate, "register the board to the reference, upload, verify bit-exact, report" },
	{ "register", cmd_register, "estimate the live -> reference transform, LUT and registers of a pair" },
	{ "series", cmd_series, "one reference against several follow-ups: differences, montage, report" },
	{ "sample", cmd_sample, "synthetic radiographs with a known transform, exposure and lesion" },
	{ "subtract", cmd_subtract, "subtract LIVE from REF with a parameter file, bit-exact with the board" },
	{ "pacs", cmd_pacs, "the clinic's PACS: find priors, retrieve a baseline, store results" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: dsr <command> [options]   (dsr help <command> for each)\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit status: 0 success, 1 failure, 2 usage error\n");
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("dsr 1.0\n");
	return DSR_EXIT_OK;
}

int main(int argc, char **argv)
{
	/* Registration allocates and frees frame-sized buffers many times. Kept in the heap
	 * instead of mmap'ed and unmapped each time, a freed buffer is reused without the
	 * kernel faulting in fresh zeroed pages again (a quarter of the page faults of a
	 * 1024^2 dsr register). */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	if (argc < 2) {
		usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc >= 3) {	/* dsr help CMD = dsr CMD --help */
		char *args[] = { argv[2], "--help", NULL };

		for (size_t i = 0; i < N_COMMANDS; i++)
			if (!strcmp(argv[2], commands[i].name))
				return commands[i].run(2, args);
		fprintf(stderr, "dsr help: '%s' is not a dsr command (see 'dsr help')\n", argv[2]);
		return DSR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return DSR_EXIT_OK;
	}
	if (dsr_threads() < 0) {	/* refused here, before any command runs */
		fprintf(stderr, "dsr: %s\n", dsr_error());
		return DSR_EXIT_USAGE;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dsr: '%s' is not a dsr command (see 'dsr help')\n", argv[1]);
	return DSR_EXIT_USAGE;
}

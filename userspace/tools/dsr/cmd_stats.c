/*
 * cmd_stats.c - `dsr stats`: the transport's frame counters (frames, bytes, dropped,
 * malformed, CRC errors, overruns) for a board, once or every --interval seconds.
 * Through the kernel driver these are the driver's counters since the board was
 * plugged in; over libusb, this process's own (so mostly useful with --device).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/error.h"

static void stats_usage(FILE *f)
{
	fprintf(f, "usage: dsr stats [--usb [SERIAL|BUS:ADDR] | --device /dev/dsrN] [--json]\n"
		   "                 [--interval SECONDS [--count N]]\n"
		   "Prints the board transport's frame counters.\n\n"
		   BOARD_HELP
		   "      --json               one JSON object per sample\n"
		   "  -i, --interval SECONDS   sample repeatedly (whole seconds)\n"
		   "  -c, --count N            stop after N samples (default: until killed)\n"
		   "  -h, --help               this help\n"
		   "exit status: 0 success, 1 no board / I/O error, 2 usage error\n");
}

/* One sample of the counters, as text or JSON. */
static void print_stats(const struct dsr_board_stats *st, int json)
{
	if (json) {
		printf("{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"dropped\":%" PRIu64
		       ",\"malformed\":%" PRIu64 ",\"crc_errors\":%" PRIu64
		       ",\"overruns\":%" PRIu64 "}\n",
		       st->frames, st->bytes, st->dropped, st->malformed, st->crc_errors,
		       st->overruns);
		return;
	}
	printf("frames:       %" PRIu64 "\n"
	       "bytes:        %" PRIu64 "\n"
	       "dropped:      %" PRIu64 "\n"
	       "malformed:    %" PRIu64 "\n"
	       "crc errors:   %" PRIu64 "\n"
	       "overruns:     %" PRIu64 "\n",
	       st->frames, st->bytes, st->dropped, st->malformed, st->crc_errors, st->overruns);
}

/* A positive whole number option, or -1. */
static long parse_count(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (end == s || *end || v < 1 || v > 1000000) ? -1 : v;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		BOARD_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct board_opt bo = { "" };
	struct dsr_board_stats st;
	struct dsr_board *b;
	long interval = 0, count = 1;
	int json = 0, c, rc = DSR_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:c:h", opts, NULL)) != -1) {
		int h = board_opt_handle(&bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h > 0)
			continue;
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'i':
			interval = parse_count(optarg);
			if (interval < 0) {
				fprintf(stderr, "dsr stats: --interval %s: expected whole seconds >= 1\n",
					optarg);
				return DSR_EXIT_USAGE;
			}
			if (count == 1)
				count = 0;
			break;
		case 'c':
			count = parse_count(optarg);
			if (count < 0) {
				fprintf(stderr, "dsr stats: --count %s: expected a number >= 1\n", optarg);
				return DSR_EXIT_USAGE;
			}
			break;
		case 'h':
			stats_usage(stdout);
			return DSR_EXIT_OK;
		default:
			stats_usage(stderr);
			return DSR_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dsr stats: unexpected argument '%s'\n", argv[optind]);
		return DSR_EXIT_USAGE;
	}
	b = board_opt_open(&bo, "stats");
	if (!b)
		return DSR_EXIT_FAIL;
	for (long n = 0; count == 0 || n < count; n++) {
		if (n)
			sleep((unsigned int)interval);
		if (dsr_board_stats(b, &st)) {
			fprintf(stderr, "dsr stats: %s\n", dsr_error());
			rc = DSR_EXIT_FAIL;
			break;
		}
		print_stats(&st, json);
		fflush(stdout);
	}
	dsr_board_close(b);
	return rc;
}

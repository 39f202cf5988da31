/*
 * cmd_upload.c - `dsr upload PARAMS.json`: an alignment file (alignment.h: what
 * registration and calibration write) into the board: shadow registers and contrast
 * LUT, committed, and by default waited for until the board applies it at its next
 * frame start.
 *
 * The file is untrusted: dsr_alignment_load checks every key, and the set must pass
 * dsr_params_check for this board's frame store before anything is written.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/model.h"

static void upload_usage(FILE *f)
{
	fprintf(f, "usage: dsr upload PARAMS.json [options]\n"
		   "Writes the alignment in PARAMS.json (\"registers\" and/or \"affine\", optional\n"
		   "\"lut\" entries; see dsr register -o) to the board and commits it. A file with\n"
		   "only \"affine\" takes the frame size and depth the board is set to. The LUT is\n"
		   "identity (%u entries) unless the file has one, and the output says which.\n\n"
		   "      --mode MODE        override the mode: pass, capture, subtract, warp\n"
		   "      --no-wait          commit and return; do not wait for the next frame start\n"
		   BOARD_HELP
		   "  -h, --help             this help\n"
		   "exit status: 0 committed (and applied), 1 failed, 2 usage error\n", DSR_LUT_SIZE);
}

/* A mode by name; -1 if unknown. */
static int mode_by_name(const char *s)
{
	for (uint32_t i = 0; i <= DSR_MODE_MAX; i++)
		if (!strcmp(s, dsr_mode_name(i)))
			return (int)i;
	return -1;
}

/*
 * Bind a loaded alignment to the board's frames: a file with only "affine" takes the
 * frame size and depth the board is set to; one with "registers" carries its own, and
 * dsr_board_set_params checks them against the board's frame store.
 */
static int bind_to_board(struct dsr_board *b, struct dsr_alignment *al)
{
	uint32_t w, h, bits;

	if (al->params.width)
		return 0;
	if (dsr_board_reg_read(b, DSR_REG_WIDTH, &w) || dsr_board_reg_read(b, DSR_REG_HEIGHT, &h) ||
	    dsr_board_reg_read(b, DSR_REG_PIXEL_BITS, &bits))
		return -1;
	return dsr_alignment_for_frame(al, w, h, bits);
}

int cmd_upload(int argc, char **argv)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "mode", required_argument, NULL, 'm' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct board_opt bo = { "" };
	struct dsr_alignment al;
	struct dsr_board *b;
	int c, wait = 1, mode = -1;
	int64_t gen = -1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int h = board_opt_handle(&bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h)
			continue;
		if (c == 'm' && (mode = mode_by_name(optarg)) >= 0)
			continue;
		if (c == 'W') {
			wait = 0;
			continue;
		}
		if (c == 'h') {
			upload_usage(stdout);
			return DSR_EXIT_OK;
		}
		upload_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		upload_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	/* The file first: a broken one is reported without touching the board. */
	if (dsr_alignment_load(argv[optind], &al)) {
		fprintf(stderr, "dsr upload: %s\n", dsr_error());
		dsr_alignment_free(&al);
		return DSR_EXIT_FAIL;
	}
	b = board_opt_open(&bo, "upload");
	if (!b) {
		dsr_alignment_free(&al);
		return DSR_EXIT_FAIL;
	}
	if (bind_to_board(b, &al) == 0) {
		/* A file without a LUT means the identity: upload that too, so that no LUT of
		 * an earlier upload stays in the board. */
		static uint16_t identity[DSR_LUT_SIZE];

		dsr_lut_identity(identity, al.params.pixel_bits);
		if (mode >= 0)
			al.params.mode = (uint32_t)mode;
		gen = dsr_board_set_params(b, &al.params, al.lut ? al.lut : identity, wait);
	}
	if (gen < 0)
		fprintf(stderr, "dsr upload: %s\n", dsr_error());
	else
		printf("parameters %ux%u %u bits mode %s, LUT %s: generation %" PRId64 " %s\n",
		       al.params.width, al.params.height, al.params.pixel_bits,
		       dsr_mode_name(al.params.mode), al.lut ? al.lut_kind : "identity", gen,
		       wait ? "active" : "committed (applies at the next frame start)");
	dsr_alignment_free(&al);
	dsr_board_close(b);
	return gen < 0 ? DSR_EXIT_FAIL : DSR_EXIT_OK;
}

/*
 * cmd_reference.c - `dsr reference upload REF`: put a baseline image into the board's
 * frame store, as a wire frame flagged DSR_FLAG_REFERENCE over bulk OUT. The board
 * warps this stored reference into every following live frame.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/error.h"
#include "dsr/image.h"

#define REF_VALID_WAIT_MS 3000

static void reference_usage(FILE *f)
{
	fprintf(f, "usage: dsr reference upload REF [--usb [SERIAL|BUS:ADDR] | --device /dev/dsrN]\n"
		   "Uploads REF (PNG, TIFF, PGM or DICOM; the size of the board's current frame\n"
		   "parameters) into the board's frame store as the reference, and waits until the\n"
		   "board reports a valid reference.\n\n" BOARD_HELP
		   "  -h, --help             this help\n"
		   "exit status: 0 stored, 1 failed (file, board, size), 2 usage error\n");
}

/* Wait until STATUS says the store holds a complete reference. */
static int wait_ref_valid(struct dsr_board *b)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	uint32_t status = 0;

	for (int waited = 0; waited < REF_VALID_WAIT_MS; waited += 5) {
		if (dsr_board_reg_read(b, DSR_REG_STATUS, &status))
			return -1;
		if (status & DSR_STATUS_REF_VALID)
			return 0;
		nanosleep(&pause, NULL);
	}
	return dsr_seterr("the board took the frame but reports no valid reference after %d ms "
			  "(STATUS 0x%x)", REF_VALID_WAIT_MS, status);
}

/* Load, check the size against the board's frame parameters, send, confirm. */
static int upload(struct dsr_board *b, const char *path)
{
	struct dsr_image *ref = dsr_image_load(path);
	uint32_t w, h;
	int rc = -1;

	if (!ref)
		return -1;	/* the loader names the file */
	if (dsr_board_reg_read(b, DSR_REG_WIDTH, &w) || dsr_board_reg_read(b, DSR_REG_HEIGHT, &h))
		goto out;
	if (ref->width != w || ref->height != h) {
		dsr_seterr("%s is %ux%u but the board's frames are %ux%u: upload matching "
			   "parameters first (dsr upload)", path, ref->width, ref->height, w, h);
		goto out;
	}
	if (dsr_board_upload_reference(b, ref) == 0 && wait_ref_valid(b) == 0)
		rc = 0;
out:
	dsr_image_free(ref);
	return rc;
}

int cmd_reference(int argc, char **argv)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct board_opt bo = { "" };
	struct dsr_board *b;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int h = board_opt_handle(&bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h)
			continue;
		if (c == 'h') {
			reference_usage(stdout);
			return DSR_EXIT_OK;
		}
		reference_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (argc - optind != 2 || strcmp(argv[optind], "upload")) {
		reference_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	b = board_opt_open(&bo, "reference");
	if (!b)
		return DSR_EXIT_FAIL;
	rc = upload(b, argv[optind + 1]);
	if (rc)
		fprintf(stderr, "dsr reference upload: %s\n", dsr_error());
	else
		printf("reference %s stored\n", argv[optind + 1]);
	dsr_board_close(b);
	return rc ? DSR_EXIT_FAIL : DSR_EXIT_OK;
}

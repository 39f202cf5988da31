/*
 * cmd_reference.c - `dsr reference upload REF`: put a baseline image into the board's
 * frame store, as a wire frame flagged DSR_FLAG_REFERENCE over bulk OUT. The board
 * warps this stored reference into every following live frame.
 * `dsr reference capture`: let the board store the next frame it sees (from its sensor,
 * or a --live file played through it) as the reference, save what it stored, and say
 * which frame, parameter generation and pixel CRC the new reference is.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
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
		   "       dsr reference capture [-o REF.png] [--live FILE] [--timeout MS] [board]\n"
		   "upload: stores REF (PNG, TIFF, PGM or DICOM; the size of the board's current frame\n"
		   "parameters) in the board's frame store as the reference, and waits until the\n"
		   "board reports a valid reference.\n"
		   "capture: the board stores the next frame it receives (its sensor's, or FILE\n"
		   "played through it with --live) as the reference; the frame is saved to -o, and\n"
		   "its sequence number, parameter generation and pixel CRC-32 are printed. The\n"
		   "board then returns to the mode it was in.\n\n" BOARD_HELP
		   "  -o, --output REF.png   save the captured reference\n"
		   "      --live FILE        play FILE through the board as the frame to capture\n"
		   "      --timeout MS       wait this long for the frame (default 10000)\n"
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

/* What `reference capture` was asked for. */
struct capture_opts {
	const char *out, *live;
	int timeout_ms;
};

/* The next frame made by generation @gen or later in capture mode, or NULL. */
static int next_capture(struct dsr_board *b, uint32_t gen, int timeout_ms, struct dsr_frame *f)
{
	for (int skipped = 0; skipped < 64; skipped++) {
		if (dsr_board_next_frame(b, f, timeout_ms))
			return -1;
		if (f->info.generation >= gen &&
		    (f->info.flags & DSR_FLAG_MODE_MASK) == DSR_MODE_CAPTURE)
			return 0;
	}
	return dsr_seterr("no capture-mode frame of generation %u among 64 received", gen);
}

/*
 * Capture: commit the current parameters in capture mode, take one frame (the board
 * stores it as it passes), put the previous mode back, and report the new reference.
 */
static int capture(struct dsr_board *b, const struct capture_opts *co)
{
	struct dsr_params p, cap;
	struct dsr_frame f;
	struct dsr_image *live = NULL, *ref = NULL;
	int64_t gen, back = -1;
	int rc = -1;

	if (dsr_board_get_params(b, &p))
		return -1;
	if (co->live && !(live = dsr_image_load(co->live)))
		return -1;
	if (live && (live->width != p.width || live->height != p.height)) {
		dsr_seterr("%s is %ux%u but the board's frames are %ux%u", co->live, live->width,
			   live->height, p.width, p.height);
		goto out;
	}
	cap = p;
	cap.mode = DSR_MODE_CAPTURE;
	gen = dsr_board_set_params(b, &cap, NULL, 0);
	if (gen < 0 || dsr_board_stream_on(b) || (live && dsr_board_send_live(b, live)) ||
	    next_capture(b, (uint32_t)gen, co->timeout_ms, &f))
		goto out;
	ref = dsr_image_new(f.info.width, f.info.height, f.info.pixel_bits);
	if (!ref)
		goto out;
	memcpy(ref->pixels, f.pixels, (size_t)f.info.width * f.info.height * 2);
	back = dsr_board_set_params(b, &p, NULL, 0);
	if (back < 0 || wait_ref_valid(b) || (co->out && dsr_image_save(ref, co->out)))
		goto out;
	printf("reference captured: frame %u, generation %u, %ux%u %u-bit, crc32 %08x%s%s\n"
	       "board back in mode %u from generation %lld\n", f.info.sequence, f.info.generation,
	       f.info.width, f.info.height, f.info.pixel_bits,
	       dsr_crc32(0, ref->pixels, (size_t)ref->width * ref->height * 2),
	       co->out ? ", saved to " : "", co->out ? co->out : "", p.mode, (long long)back);
	rc = 0;
out:
	dsr_board_stream_off(b);
	dsr_image_free(live);
	dsr_image_free(ref);
	return rc;
}

int cmd_reference(int argc, char **argv)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "live", required_argument, NULL, 'L' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct capture_opts co = { NULL, NULL, 10000 };
	struct board_opt bo = { "" };
	struct dsr_board *b;
	int c, rc;

	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		int h = board_opt_handle(&bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h)
			continue;
		if (c == 'h') {
			reference_usage(stdout);
			return DSR_EXIT_OK;
		}
		if (c == 'o' || c == 'L') {
			*(c == 'o' ? &co.out : &co.live) = optarg;
			continue;
		}
		if (c == 'T' && (co.timeout_ms = atoi(optarg)) > 0)
			continue;
		reference_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (argc - optind == 1 && !strcmp(argv[optind], "capture")) {
		b = board_opt_open(&bo, "reference");
		if (!b)
			return DSR_EXIT_FAIL;
		rc = capture(b, &co);
		if (rc)
			fprintf(stderr, "dsr reference capture: %s\n", dsr_error());
		dsr_board_close(b);
		return rc ? DSR_EXIT_FAIL : DSR_EXIT_OK;
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

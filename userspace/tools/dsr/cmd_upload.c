/*
 * cmd_upload.c - `dsr upload PARAMS.json`: an alignment (the register values `dsr
 * register --json` and `dsr series` write, plus the contrast LUT when the file carries
 * one) into the board's shadow registers, committed, and by default waited for until
 * the board applies it at its next frame start.
 *
 * The file is untrusted: every register must be present, an integer that fits, and the
 * set must pass dsr_params_check for this board before anything is written.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/error.h"
#include "dsr/model.h"

static void upload_usage(FILE *f)
{
	fprintf(f, "usage: dsr upload PARAMS.json [options]\n"
		   "Writes the alignment in PARAMS.json to the board and commits it. The file's\n"
		   "\"registers\" object holds the register values (mode, width, height, pixel_bits,\n"
		   "a11, a12, a21, a22, tx, ty, gain, midgrey), as `dsr register --json` writes\n"
		   "them; an optional \"lut_table\" array of 2^pixel_bits or %u entries is the\n"
		   "contrast LUT (identity otherwise, and said so).\n\n"
		   "      --mode MODE        override the mode: pass, capture, subtract, warp\n"
		   "      --no-wait          commit and return; do not wait for the next frame start\n"
		   BOARD_HELP
		   "  -h, --help             this help\n"
		   "exit status: 0 committed (and applied), 1 failed, 2 usage error\n", DSR_LUT_SIZE);
}

/* An integer member of @obj into @out within [lo, hi]. */
static int get_int(json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return dsr_seterr("\"registers\" has no \"%s\"", key);
	if (!json_is_integer(v))
		return dsr_seterr("\"registers\".\"%s\" is not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return dsr_seterr("\"registers\".\"%s\" = %" PRId64 " is outside [%" PRId64 ", %" PRId64 "]",
				  key, *out, lo, hi);
	return 0;
}

/* The "registers" object into a parameter set. */
static int parse_registers(json_t *regs, struct dsr_params *p)
{
	static const char *const u32_keys[] = { "mode", "width", "height", "pixel_bits", "gain", "midgrey" };
	static const char *const s32_keys[] = { "a11", "a12", "a21", "a22", "tx", "ty" };
	uint32_t *u32_fields[] = { &p->mode, &p->width, &p->height, &p->pixel_bits, &p->gain, &p->midgrey };
	int32_t *s32_fields[] = { &p->a11, &p->a12, &p->a21, &p->a22, &p->tx, &p->ty };
	int64_t v;

	if (!json_is_object(regs))
		return dsr_seterr("no \"registers\" object");
	for (int i = 0; i < 6; i++) {
		if (get_int(regs, u32_keys[i], 0, UINT32_MAX, &v))
			return -1;
		*u32_fields[i] = (uint32_t)v;
	}
	for (int i = 0; i < 6; i++) {
		if (get_int(regs, s32_keys[i], INT32_MIN, INT32_MAX, &v))
			return -1;
		*s32_fields[i] = (int32_t)v;
	}
	return 0;
}

/* The optional "lut_table": 2^pixel_bits or DSR_LUT_SIZE entries, each < 2^pixel_bits;
 * a short table is repeated over the ignored high bits, as the board's masking implies.
 * Returns 1 if the file had a table, 0 if not (identity), -1 if it is wrong. */
static int parse_lut(json_t *root, const struct dsr_params *p, uint16_t *lut)
{
	json_t *t = json_object_get(root, "lut_table");
	size_t n, levels = (size_t)1 << p->pixel_bits;

	dsr_lut_identity(lut, p->pixel_bits);
	if (!t)
		return 0;
	n = json_array_size(t);
	if (!json_is_array(t) || (n != levels && n != DSR_LUT_SIZE))
		return dsr_seterr("\"lut_table\": expected an array of %zu or %u entries", levels,
				  DSR_LUT_SIZE);
	for (size_t i = 0; i < DSR_LUT_SIZE; i++) {
		json_t *e = json_array_get(t, i % n);

		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= (json_int_t)levels)
			return dsr_seterr("\"lut_table\"[%zu]: not an integer in [0, %zu)", i % n, levels);
		lut[i] = (uint16_t)json_integer_value(e);
	}
	return 1;
}

/* A mode by name; -1 if unknown. */
static int mode_by_name(const char *s)
{
	static const char *const names[] = { "pass", "capture", "subtract", "warp" };

	for (int i = 0; i <= DSR_MODE_MAX; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* Read and check the whole file: parameters and LUT. Returns the lut_table flag or -1. */
static int load_alignment(const char *path, struct dsr_params *p, uint16_t *lut)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!root)
		return dsr_seterr("%s: line %d: %s", path, jerr.line, jerr.text);
	rc = parse_registers(json_object_get(root, "registers"), p);
	if (rc == 0)
		rc = parse_lut(root, p, lut);
	json_decref(root);
	if (rc < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", dsr_error());
		return dsr_seterr("%s: %s", path, why);
	}
	return rc;
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
	static uint16_t lut[DSR_LUT_SIZE];
	struct board_opt bo = { "" };
	struct dsr_params p;
	struct dsr_board *b;
	int c, wait = 1, mode = -1, has_lut;
	int64_t gen;

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
	has_lut = load_alignment(argv[optind], &p, lut);
	if (has_lut < 0) {
		fprintf(stderr, "dsr upload: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	if (mode >= 0)
		p.mode = (uint32_t)mode;
	b = board_opt_open(&bo, "upload");
	if (!b)
		return DSR_EXIT_FAIL;
	gen = dsr_board_set_params(b, &p, lut, wait);
	if (gen < 0)
		fprintf(stderr, "dsr upload: %s\n", dsr_error());
	else
		printf("parameters %ux%u %u bits mode %u, LUT %s: generation %" PRId64 " %s\n", p.width,
		       p.height, p.pixel_bits, p.mode, has_lut ? "from lut_table" : "identity", gen,
		       wait ? "active" : "committed (applies at the next frame start)");
	dsr_board_close(b);
	return gen < 0 ? DSR_EXIT_FAIL : DSR_EXIT_OK;
}

/*
 * cmd_subtract.c - `dsr subtract REF LIVE -p PARAMS -o OUT`: the board's subtraction
 * in software. The parameter file (alignment.h) gives the registers and LUT; the
 * reference model (model.h) runs them over the two images, bit for bit what the RTL
 * would output for the same frames. The result is written at the parameters' pixel
 * depth (a 16-bit PNG for .png).
 *
 * The command is a short pipeline, one function per stage, so that more ways of
 * obtaining the alignment (e.g. estimating it with --register) or more outputs (e.g. a
 * --montage) slot in as an option, a field of struct subtract_opts / subtract_job and a
 * call in their stage:
 *   subtract_parse -> load_frames -> obtain_alignment -> run_model -> write_outputs
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "util.h"

#define SUBTRACT_CMD "subtract"

/* What the command line asked for. */
struct subtract_opts {
	const char *ref_path, *live_path;
	const char *params_path;	/* -p: the alignment to apply */
	const char *out_path;		/* -o: the model's output frame */
	uint32_t mode;			/* DSR_MODE_SUBTRACT, or --mode warp|pass */
	int quiet;
};

/* Everything the stages pass along; freed by subtract_job_free. */
struct subtract_job {
	struct dsr_image *ref, *live;
	struct dsr_alignment al;
	struct dsr_image *out;
};

static void subtract_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr subtract REF LIVE -p PARAMS -o OUT\n"
		"Subtract the follow-up LIVE from the baseline REF exactly as the board does:\n"
		"warp REF by the parameters' registers (bilinear, edge replication), map it\n"
		"through their LUT, and output clamp(midgrey + gain * (LIVE - REF')). The result\n"
		"is bit-exact with the RTL, at the parameters' pixel depth (.png is 16-bit).\n\n"
		"  -p, --params PARAMS     parameter file (JSON: \"registers\" and/or \"affine\",\n"
		"                          optional \"lut\"), e.g. from dsr register or\n"
		"                          dsr sample --truth; its frame size must be the images'\n"
		"  -o, --output OUT        the output image (.png, .tif, .pgm)\n"
		"      --mode MODE         subtract (default), warp (the aligned reference) or\n"
		"                          pass (LIVE as the board passes it through)\n"
		"  -q, --quiet             no progress bar\n"
		"  -h, --help              this help\n\n"
		"exit status: 0 written, 1 failed (unreadable input, sizes or depths that do not\n"
		"match the parameters), 2 usage error\n");
}

/* A --mode value: the three modes that produce an image from REF and LIVE. */
static int parse_mode(const char *s, uint32_t *mode)
{
	if (!strcmp(s, "subtract"))
		*mode = DSR_MODE_SUBTRACT;
	else if (!strcmp(s, "warp"))
		*mode = DSR_MODE_WARP;
	else if (!strcmp(s, "pass"))
		*mode = DSR_MODE_PASS;
	else
		return dsr_seterr("--mode '%s': expected subtract, warp or pass", s);
	return 0;
}

/* The command line into @o; 0, 1 for --help, -1 for a usage error (dsr_error()). */
static int subtract_parse(int argc, char **argv, struct subtract_opts *o)
{
	static const struct option longopts[] = {
		{ "params", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		/* new options here; their handling in the switch below */
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->mode = DSR_MODE_SUBTRACT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->params_path = optarg; break;
		case 'o': o->out_path = optarg; break;
		case 'M':
			if (parse_mode(optarg, &o->mode))
				return -1;
			break;
		case 'q': o->quiet = 1; break;
		case 'h': return 1;
		default:
			return dsr_seterr("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return dsr_seterr("expected REF and LIVE");
	o->ref_path = argv[optind];
	o->live_path = argv[optind + 1];
	if (!o->params_path)
		return dsr_seterr("-p PARAMS is required");
	if (!o->out_path)
		return dsr_seterr("-o OUT is required");
	return 0;
}

/* Both images, of one size. */
static int load_frames(const struct subtract_opts *o, struct subtract_job *j)
{
	j->ref = dsr_image_load(o->ref_path);
	if (!j->ref)
		return -1;
	j->live = dsr_image_load(o->live_path);
	if (!j->live)
		return -1;
	if (j->ref->width != j->live->width || j->ref->height != j->live->height)
		return dsr_seterr("%s is %ux%u but %s is %ux%u", o->ref_path, j->ref->width,
				  j->ref->height, o->live_path, j->live->width, j->live->height);
	return 0;
}

/*
 * The alignment to apply, bound to the frames: a full parameter file must be for this
 * frame size, and its pixel depth must hold every pixel of both images (the board
 * masks bits above it); an "affine"-only file takes the frame size and the images'
 * depth (at least the board's minimum).
 */
static int obtain_alignment(const struct subtract_opts *o, struct subtract_job *j)
{
	uint32_t bits = j->ref->bits > j->live->bits ? j->ref->bits : j->live->bits;
	uint32_t depth;

	if (dsr_alignment_load(o->params_path, &j->al))
		return -1;
	depth = j->al.params.width ? j->al.params.pixel_bits : 0;
	if (depth && bits > depth)
		return dsr_seterr("the images have %u-bit pixels but %s is for %u bits",
				  bits, o->params_path, depth);
	if (!depth)
		depth = j->al.params.pixel_bits ? j->al.params.pixel_bits :
			bits < DSR_PIXEL_BITS_MIN ? DSR_PIXEL_BITS_MIN : bits;
	if (dsr_alignment_for_frame(&j->al, j->ref->width, j->ref->height, depth)) {
		char why[512];

		snprintf(why, sizeof(why), "%s", dsr_error());
		return dsr_seterr("%s: %s", o->params_path, why);
	}
	return 0;
}

/* The reference model over the frames: one call, the board's exact arithmetic. */
static int run_model(const struct subtract_opts *o, struct subtract_job *j)
{
	struct dsr_params p = j->al.params;

	p.mode = o->mode;
	j->out = dsr_image_new(p.width, p.height, p.pixel_bits);
	if (!j->out)
		return -1;
	dsr_model_frame(&p, j->al.lut, j->ref->pixels, j->live->pixels, j->out->pixels);
	return 0;
}

/* The output image (further outputs go here). */
static int write_outputs(const struct subtract_opts *o, struct subtract_job *j)
{
	return dsr_image_save(j->out, o->out_path);
}

static void subtract_job_free(struct subtract_job *j)
{
	dsr_image_free(j->ref);
	dsr_image_free(j->live);
	dsr_image_free(j->out);
	dsr_alignment_free(&j->al);
}

int cmd_subtract(int argc, char **argv)
{
	struct subtract_opts o;
	struct subtract_job j;
	struct cli_progress pg;
	int rc;

	rc = subtract_parse(argc, argv, &o);
	if (rc == 1) {
		subtract_usage(stdout);
		return DSR_EXIT_OK;
	}
	if (rc)
		return cli_usage_error(SUBTRACT_CMD, NULL);
	memset(&j, 0, sizeof(j));
	dsr_alignment_init(&j.al);
	if (o.quiet)
		pg.tty = 0;
	else
		cli_progress_begin(&pg, SUBTRACT_CMD);
	cli_progress_update(&pg, 0.1, "loading");
	rc = load_frames(&o, &j);
	if (rc == 0)
		rc = obtain_alignment(&o, &j);
	cli_progress_update(&pg, 0.4, "subtracting");
	if (rc == 0)
		rc = run_model(&o, &j);
	cli_progress_update(&pg, 0.8, "writing");
	if (rc == 0)
		rc = write_outputs(&o, &j);
	cli_progress_end(&pg);
	subtract_job_free(&j);
	return rc ? cli_fail(SUBTRACT_CMD) : DSR_EXIT_OK;
}

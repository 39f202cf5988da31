/*
 * cmd_sample.c - `dsr sample`: synthetic radiographs with a known answer. Writes a
 * baseline (the reference) rendered from the phantom, optionally a follow-up seen
 * through a known transform with another exposure and a lesion, and the true
 * transform as a parameter file (alignment.h), so registration, contrast matching and
 * subtraction can be checked against the truth anywhere, no patient needed.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/sample.h"
#include "util.h"

#define SAMPLE_CMD "sample"

struct sample_opts {
	const char *output, *follow, *truth;
	uint32_t width, height, bits;
	uint64_t seed;
	double rotate, scale, shear, shift[2];	/* the follow-up's live -> reference map */
	double angulation[2], focal;		/* beam angulation (degrees), source (px) */
	struct dsr_exposure exposure;		/* the follow-up's exposure */
	double noise;				/* both frames */
	int have_lesion, follow_only_opts, quiet;
	struct dsr_lesion lesion;
};

static void sample_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr sample -o REF [--follow LIVE] [options]\n"
		"Render a synthetic intra-oral radiograph (2-3 teeth in alveolar bone) as the\n"
		"baseline REF, and optionally a follow-up LIVE of the same scene seen through a\n"
		"known transform, with another exposure and a lesion. Images: .png .tif .pgm.\n\n"
		"  -o, --output REF        the baseline image\n"
		"      --follow LIVE       also write the follow-up\n"
		"      --size WxH          frame size (default 1024x1024)\n"
		"      --bits B            bits per pixel, 8..16 (default 12)\n"
		"      --seed S            the scene (anatomy and noise); default 1. Noise seeds\n"
		"                          are 2S for REF and 2S+1 for LIVE\n"
		"      --noise N           noise scale for both frames, 0 = none (default 1)\n"
		"follow-up geometry: live pixel (x, y) shows the reference at\n"
		"  (u, v) = c + R(DEG) [S SH; 0 S] ((x, y) - c) + (DX, DY), c the frame centre:\n"
		"      --rotate DEG        rotation, clockwise on screen (default 0)\n"
		"      --scale S           magnification of the map (default 1)\n"
		"      --shear SH          shear (default 0)\n"
		"      --shift DX,DY       translation in reference pixels (default 0,0)\n"
		"      --angulation AX,AY  beam angulation in degrees about the vertical and the\n"
		"                          horizontal axis: a projective follow-up (default 0,0)\n"
		"      --focal F           source to sensor distance in pixels (default 15000)\n"
		"follow-up exposure and change:\n"
		"      --gain G            detected signal x G (default 1)\n"
		"      --gamma G           tone curve on the signal (default 1)\n"
		"      --lesion X,Y,R,LOSS a disc of mineral loss LOSS (e.g. 0.05) of radius R\n"
		"                          at reference position (X, Y)\n"
		"      --truth FILE        write the true transform as a parameter file (JSON,\n"
		"                          registers quantised, identity LUT; for dsr subtract -p)\n"
		"  -q, --quiet             no progress bar\n"
		"  -h, --help              this help\n\n"
		"exit status: 0 written, 1 failed, 2 usage error\n");
}

/* Defaults: a 1024x1024 12-bit baseline, identity follow-up, baseline exposure. */
static void sample_defaults(struct sample_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->width = o->height = 1024;
	o->bits = 12;
	o->seed = 1;
	o->scale = 1;
	o->focal = 15000;
	dsr_exposure_default(&o->exposure);
	o->noise = 1;
}

/* One option into @o; -1 (dsr_error()) if its value is wrong. */
static int sample_option(int c, const char *arg, struct sample_opts *o)
{
	double v[4];
	uint64_t n;

	switch (c) {
	case 'o': o->output = arg; return 0;
	case 'F': o->follow = arg; return 0;
	case 'T': o->truth = arg; return 0;
	case 'q': o->quiet = 1; return 0;
	case 'z': return cli_parse_size("--size", arg, DSR_WIDTH_MAX, &o->width, &o->height);
	case 'b':
		if (cli_parse_uint("--bits", arg, 8, 16, &n))
			return -1;
		o->bits = (uint32_t)n;
		return 0;
	case 's': return cli_parse_uint("--seed", arg, 0, UINT32_MAX, &o->seed);
	case 'n': return cli_parse_double("--noise", arg, 0, 10, &o->noise);
	}
	o->follow_only_opts = 1;	/* everything below describes the follow-up */
	switch (c) {
	case 'r': return cli_parse_double("--rotate", arg, -45, 45, &o->rotate);
	case 'S': return cli_parse_double("--scale", arg, 0.5, 2, &o->scale);
	case 'H': return cli_parse_double("--shear", arg, -0.5, 0.5, &o->shear);
	case 't': return cli_parse_doubles("--shift", arg, o->shift, 2);
	case 'A':
		if (cli_parse_doubles("--angulation", arg, o->angulation, 2))
			return -1;
		if (!(fabs(o->angulation[0]) <= 30 && fabs(o->angulation[1]) <= 30))
			return dsr_seterr("--angulation '%s': each angle within +-30 degrees", arg);
		return 0;
	case 'f': return cli_parse_double("--focal", arg, 100, 1e6, &o->focal);
	case 'g': return cli_parse_double("--gain", arg, 0.05, 20, &o->exposure.gain);
	case 'G': return cli_parse_double("--gamma", arg, 0.1, 10, &o->exposure.gamma);
	case 'l':
		if (cli_parse_doubles("--lesion", arg, v, 4))
			return -1;
		if (!(v[2] > 0 && v[3] > -1 && v[3] <= 1))
			return dsr_seterr("--lesion '%s': needs R > 0 and LOSS in (-1, 1]", arg);
		o->lesion = (struct dsr_lesion){ v[0], v[1], v[2], v[3] };
		o->have_lesion = 1;
		return 0;
	}
	return dsr_seterr("unknown option");
}

/* The command line into @o; 0, 1 for --help, -1 for a usage error (dsr_error()). */
static int sample_parse(int argc, char **argv, struct sample_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "follow", required_argument, NULL, 'F' },
		{ "truth", required_argument, NULL, 'T' },
		{ "size", required_argument, NULL, 'z' },
		{ "bits", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "noise", required_argument, NULL, 'n' },
		{ "rotate", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 'S' },
		{ "shear", required_argument, NULL, 'H' },
		{ "shift", required_argument, NULL, 't' },
		{ "angulation", required_argument, NULL, 'A' },
		{ "focal", required_argument, NULL, 'f' },
		{ "gain", required_argument, NULL, 'g' },
		{ "gamma", required_argument, NULL, 'G' },
		{ "lesion", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	sample_defaults(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?' || c == ':')
			return dsr_seterr("unknown option or missing value: '%s'", argv[optind - 1]);
		if (sample_option(c, optarg, o))
			return -1;
	}
	if (optind != argc)
		return dsr_seterr("unexpected argument '%s'", argv[optind]);
	if (!o->output)
		return dsr_seterr("-o REF is required");
	if (o->follow_only_opts && !o->follow)
		return dsr_seterr("geometry, exposure and lesion options describe the follow-up: "
				  "give --follow LIVE");
	if (o->truth && o->bits < DSR_PIXEL_BITS_MIN)
		return dsr_seterr("--truth needs --bits %u..%u (the board's pixel depths)",
				  DSR_PIXEL_BITS_MIN, DSR_PIXEL_BITS_MAX);
	return 0;
}

/* The follow-up's live -> reference transform from rotate/scale/shear/shift about the
 * frame centre (the map the help text spells out). */
static void follow_transform(const struct sample_opts *o, struct dsr_affine *a)
{
	double th = o->rotate * M_PI / 180, c = cos(th), s = sin(th);
	double cx = (o->width - 1) / 2.0, cy = (o->height - 1) / 2.0;

	a->a11 = c * o->scale;
	a->a12 = c * o->shear - s * o->scale;
	a->a21 = s * o->scale;
	a->a22 = s * o->shear + c * o->scale;
	a->tx = cx - a->a11 * cx - a->a12 * cy + o->shift[0];
	a->ty = cy - a->a21 * cx - a->a22 * cy + o->shift[1];
}

/* What the truth file says about how the pair was made, beyond the transform. */
static json_t *sample_description(const struct sample_opts *o, const struct dsr_affine *a)
{
	json_t *lesion = json_null();

	if (o->have_lesion) {
		/* where the lesion centre appears in the live frame: invert the map */
		double det = a->a11 * a->a22 - a->a12 * a->a21;
		double du = o->lesion.x - a->tx, dv = o->lesion.y - a->ty;

		lesion = json_pack("{s:f, s:f, s:f, s:f, s:[ff]}", "x", o->lesion.x, "y", o->lesion.y,
				   "radius", o->lesion.radius, "loss", o->lesion.loss, "live",
				   (a->a22 * du - a->a12 * dv) / det, (a->a11 * dv - a->a21 * du) / det);
	}
	return json_pack("{s:{s:s, s:s?, s:I, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:[ff], s:f, "
			 "s:f, s:o}}", "sample", "reference", o->output, "follow", o->follow,
			 "seed", (json_int_t)o->seed, "width", (int)o->width, "height", (int)o->height,
			 "bits", (int)o->bits, "noise", o->noise, "rotate", o->rotate, "scale",
			 o->scale, "shear", o->shear, "shift", o->shift[0], o->shift[1], "gain",
			 o->exposure.gain, "gamma", o->exposure.gamma, "lesion", lesion);
}

/* The truth as a parameter file: affine, quantised registers, identity LUT. */
static int write_truth(const struct sample_opts *o, const struct dsr_affine *a,
		       const struct dsr_homography *h)
{
	struct dsr_alignment al;
	json_t *desc = sample_description(o, a);
	int rc = -1;

	dsr_alignment_init(&al);
	dsr_params_default(&al.params, o->width, o->height, o->bits);
	al.affine = *a;
	al.homography = *h;
	al.projective = o->angulation[0] != 0 || o->angulation[1] != 0;
	if (desc && al.projective)
		json_object_set_new(json_object_get(desc, "sample"), "angulation",
				    json_pack("[ff]", o->angulation[0], o->angulation[1]));
	if (!desc)
		dsr_seterr("out of memory");
	else if ((al.projective ? dsr_params_set_homography(&al.params, h)
				: dsr_params_set_affine(&al.params, a)) == 0)
		rc = dsr_alignment_save(&al, o->truth, desc);
	json_decref(desc);
	dsr_alignment_free(&al);
	return rc;
}

/* Render one frame and save it. */
static int render_and_save(const struct dsr_phantom *ph, const struct dsr_homography *h,
			   const struct dsr_exposure *e, const struct dsr_lesion *l,
			   uint32_t bits, uint64_t noise_seed, const char *path)
{
	struct dsr_homography id = { { 1, 0, 0, 0, 1, 0, 0, 0, 1 } };
	struct dsr_image *im = dsr_phantom_render_h(ph, h ? h : &id, e, l, bits, noise_seed);
	int rc;

	if (!im)
		return -1;
	rc = dsr_image_save(im, path);
	dsr_image_free(im);
	return rc;
}

int cmd_sample(int argc, char **argv)
{
	struct sample_opts o;
	struct dsr_exposure base;
	struct dsr_affine a;
	struct dsr_homography h;
	struct cli_progress pg;
	struct dsr_phantom *ph;
	int rc;

	rc = sample_parse(argc, argv, &o);
	if (rc == 1) {
		sample_usage(stdout);
		return DSR_EXIT_OK;
	}
	if (rc)
		return cli_usage_error(SAMPLE_CMD, NULL);
	ph = dsr_phantom_new(o.width, o.height, o.seed);
	if (!ph)
		return cli_fail(SAMPLE_CMD);
	dsr_exposure_default(&base);
	base.noise = o.noise;
	o.exposure.noise = o.noise;
	follow_transform(&o, &a);
	if (dsr_beam_angulation(o.width, o.height, o.angulation[0], o.angulation[1], o.focal, &a,
				&h)) {
		dsr_phantom_free(ph);
		return cli_fail(SAMPLE_CMD);
	}
	if (o.quiet)
		pg.tty = 0;
	else
		cli_progress_begin(&pg, SAMPLE_CMD);
	cli_progress_update(&pg, 0.05, "reference");
	rc = render_and_save(ph, NULL, &base, NULL, o.bits, 2 * o.seed, o.output);
	if (rc == 0 && o.follow) {
		cli_progress_update(&pg, 0.5, "follow-up");
		rc = render_and_save(ph, &h, &o.exposure, o.have_lesion ? &o.lesion : NULL, o.bits,
				     2 * o.seed + 1, o.follow);
	}
	if (rc == 0 && o.truth)
		rc = write_truth(&o, &a, &h);
	cli_progress_end(&pg);
	dsr_phantom_free(ph);
	return rc ? cli_fail(SAMPLE_CMD) : DSR_EXIT_OK;
}

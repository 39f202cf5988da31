/*
 * cmd_register.c - `dsr register REF LIVE`: estimate the live -> reference transform
 * (or fit it to hand-picked landmarks), build the contrast LUT, quantise both through
 * the reference model and report transform, registers and quality, as text or JSON.
 * With -o the parameters go to a file that `dsr subtract -p` reads.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/outputs.h"
#include "dsr/image.h"
#include "dsr/register.h"
#include "pipeline.h"
#include "util.h"

struct register_opts {
	int json, quiet;
	const char *landmarks, *mask, *output;
	struct pair_opts pair;
	struct dsr_identity_opts id;	/* only --accept-patient-mismatch here */
};

static void register_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr register REF LIVE [options]\n"
		"Find the transform that maps LIVE (follow-up) pixels (x, y) onto REF (baseline)\n"
		"positions (u, v) = (a11 x + a12 y + tx, a21 x + a22 y + ty), match the contrast,\n"
		"and print the transform, the board's register values and the quality.\n\n"
		"  -m, --model M           translation|rigid|similarity|affine|projective|auto\n"
		"                          (default auto). projective: a homography refined from\n"
		"                          the affine result (beam angulation); auto: projective\n"
		"                          only where it lowers the residual by more than noise\n"
		"                          explains (a chi-square test, see docs/projective.md)\n"
		"      --landmarks FILE    fit the model to point pairs instead of the images:\n"
		"                          one 'live_x live_y ref_x ref_y' per line, at least 3\n"
		"                          (4 for projective; auto tries the homography from 5 on,\n"
		"                          by an F-test on the points' residuals)\n"
		"      --mask FILE         image of the frame size; non-zero pixels are ignored\n"
		"                          (sensor border, labels) in both frames\n"
		"      --lut METHOD        histogram|linear|identity (default histogram)\n"
		"      --gain G            gain on the difference (default 1.0)\n"
		"      --midgrey N         grey level of 'no change' (default half range)\n"
		"      --min-quality Q     fail below this correlation (default %.2f)\n"
		"      --max-residual R    fail when the residual exceeds R times what the\n"
		"                          frames' noise explains (default %.0f)\n"
		"  -o, --output FILE       write the parameters as JSON (for dsr subtract -p)\n"
		"      --json              print JSON instead of text\n"
		"  -q, --quiet             no progress bar\n"
		"      --accept-patient-mismatch  register DICOM files of two different patients\n"
		"                          anyway (refused otherwise)\n"
		PAIR_FRAME_HELP
		"  -h, --help              this help\n\n"
		"exit status: 0 registered, 1 failed (did not converge, overlap too small,\n"
		"unreadable input), 2 usage error\n",
		DSR_REGISTER_MIN_QUALITY, DSR_REGISTER_MAX_RESIDUAL);
}

/* Parse the command line; returns the index of REF in argv, -1 for a usage error. */
static int register_parse(int argc, char **argv, struct register_opts *o)
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "landmarks", required_argument, NULL, 'k' },
		{ "mask", required_argument, NULL, 'M' },
		{ "lut", required_argument, NULL, 'L' },
		{ "gain", required_argument, NULL, 'g' },
		{ "midgrey", required_argument, NULL, 'G' },
		{ "min-quality", required_argument, NULL, 'Q' },
		{ "max-residual", required_argument, NULL, 'X' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		PAIR_FRAME_LONG_OPTION,
		{ "accept-patient-mismatch", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	pair_opts_default(&o->pair);
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:o:qh", longopts, NULL)) != -1) {
		int pair = pair_opts_option(&o->pair, c, optarg);

		if (pair < 0)
			return -1;
		if (pair > 0)
			continue;
		switch (c) {
		case 'k': o->landmarks = optarg; break;
		case 'M': o->mask = optarg; break;
		case 'Q':
			o->pair.reg.min_quality = strtod(optarg, &end);
			if (*end || !(o->pair.reg.min_quality > 0 && o->pair.reg.min_quality <= 1))
				return dsr_seterr("--min-quality '%s': expected 0 < Q <= 1", optarg);
			break;
		case 'X':
			o->pair.reg.max_residual = strtod(optarg, &end);
			if (*end || !(o->pair.reg.max_residual > 0 && isfinite(o->pair.reg.max_residual)))
				return dsr_seterr("--max-residual '%s': expected a positive number",
						  optarg);
			break;
		case 'o': o->output = optarg; break;
		case 'A': o->id.accept_mismatch = 1; break;
		case 'j': o->json = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': register_usage(stdout); exit(DSR_EXIT_OK);
		default: return dsr_seterr("see 'dsr register --help'");
		}
	}
	if (argc - optind != 2)
		return dsr_seterr("expected REF and LIVE (see 'dsr register --help')");
	return optind;
}

/* The mask file as a byte per pixel, non-zero = ignore; NULL with dsr_error(). */
static uint8_t *load_mask(const char *path, uint32_t w, uint32_t h)
{
	struct dsr_image *m = dsr_image_load(path);
	uint8_t *mask;

	if (!m)
		return NULL;
	if (m->width != w || m->height != h) {
		dsr_seterr("%s: mask is %ux%u but the frames are %ux%u", path, m->width,
			   m->height, w, h);
		dsr_image_free(m);
		return NULL;
	}
	mask = malloc((size_t)w * h);
	if (mask)
		for (size_t i = 0; i < (size_t)w * h; i++)
			mask[i] = m->pixels[i] != 0;
	else
		dsr_seterr("out of memory for the mask");
	dsr_image_free(m);
	return mask;
}

/* Landmarks: the transform comes from the points; the pipeline then takes it as known.
 * Residuals go into @report (JSON) and are printed unless --json. */
static int fit_landmarks(const struct register_opts *o, struct pair_opts *po, json_t *report)
{
	struct dsr_landmark *pts;
	long n = dsr_landmarks_load(o->landmarks, &pts);
	double rms;

	if (n < 0)
		return -1;
	double *res = calloc((size_t)n, sizeof(double));

	int proj = po->reg.motion == DSR_MOTION_PROJECTIVE, rc;

	if (!res)
		rc = -1;
	else if (po->reg.motion == DSR_MOTION_AUTO)	/* F-test on the points' residuals */
		rc = dsr_register_landmarks_auto(pts, (size_t)n, &po->known, &po->known_h, &proj,
						 res, &rms);
	else if (proj)
		rc = dsr_register_landmarks_h(pts, (size_t)n, &po->known_h, res, &rms);
	else
		rc = dsr_register_landmarks(pts, (size_t)n, po->reg.motion, &po->known, res, &rms);
	if (rc) {
		if (!res)
			dsr_seterr("out of memory");
		free(res);
		free(pts);
		return -1;
	}
	po->have_known = 1;
	if (proj) {
		const double *h = po->known_h.h;

		po->known_projective = 1;
		po->known = (struct dsr_affine){ h[0], h[1], h[2], h[3], h[4], h[5] };
	}
	json_t *arr = json_array();

	if (!o->json)
		printf("landmarks: %ld pairs, RMS residual %.3f px\n", n, rms);
	for (long i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:[ff], s:[ff], s:f}", "live", pts[i].live_x,
						     pts[i].live_y, "ref", pts[i].ref_x,
						     pts[i].ref_y, "residual", res[i]));
		if (!o->json)
			printf("  %3ld  live (%8.2f, %8.2f) -> ref (%8.2f, %8.2f)  residual %.3f px\n",
			       i + 1, pts[i].live_x, pts[i].live_y, pts[i].ref_x, pts[i].ref_y, res[i]);
	}
	json_object_set_new(report, "landmarks", json_pack("{s:o, s:f}", "points", arr, "rms", rms));
	free(res);
	free(pts);
	return 0;
}

/*
 * The parameter file for `dsr subtract -p` and `dsr upload`: the canonical alignment
 * (affine, registers, quality, LUT with its entries), and beside it what else this run
 * found (@report's keys that the format does not define).
 */
static int save_parameters(const char *path, const struct pair_result *r,
			   const struct pair_opts *po, json_t *report)
{
	struct dsr_alignment al;
	json_t *extra = json_object();
	const char *key;
	json_t *v;
	int rc;

	dsr_alignment_init(&al);
	al.affine = r->reg.affine;
	al.params = r->params;
	if (r->reg.projective) {
		al.projective = 1;
		al.homography = r->reg.homography;
	}
	al.lut = r->lut;	/* borrowed: handed back before dsr_alignment_free() */
	snprintf(al.lut_kind, sizeof(al.lut_kind), "%s", dsr_lut_method_name(po->lut_method));
	al.quality = po->have_known ? NAN : r->reg.quality;
	json_object_foreach(report, key, v)
		if (strcmp(key, "affine") && strcmp(key, "registers") && strcmp(key, "quality") &&
		    strcmp(key, "lut") && strcmp(key, "homography"))
			json_object_set(extra, key, v);
	json_object_set(extra, "contrast", json_object_get(report, "lut"));
	rc = dsr_alignment_save(&al, path, extra);
	al.lut = NULL;
	dsr_alignment_free(&al);
	json_decref(extra);
	return rc;
}

/* Rotation, scales and shear of the matrix, for a reader who thinks in those. */
static void print_decomposition(const struct dsr_affine *a)
{
	double sx = hypot(a->a11, a->a21), rot = atan2(a->a21, a->a11);
	double det = a->a11 * a->a22 - a->a12 * a->a21;
	double shear = (a->a11 * a->a12 + a->a21 * a->a22) / (sx * sx);

	printf("  rotation %.3f deg, scale x %.5f y %.5f, shear %.3f %%, translation (%.3f, %.3f) px\n",
	       rot * 180 / M_PI, sx, det / sx, 100 * shear, a->tx, a->ty);
}

static void print_text(const struct pair_result *r, const struct pair_opts *po)
{
	const struct dsr_affine *a = &r->reg.affine, *q = &r->quantised;
	const struct dsr_params *p = &r->params;

	printf("transform (live -> reference, %s", pair_model_name(r, po));
	if (po->reg.motion == DSR_MOTION_AUTO)
		printf(", chosen by --model auto");
	printf("):\n");
	printf("  u = %+.7f x %+.7f y %+.4f\n  v = %+.7f x %+.7f y %+.4f\n", a->a11, a->a12,
	       a->tx, a->a21, a->a22, a->ty);
	print_decomposition(a);
	printf("affine: [%.9g, %.9g, %.9g, %.9g, %.9g, %.9g]\n", a->a11, a->a12, a->tx, a->a21,
	       a->a22, a->ty);
	if (r->reg.projective) {
		const double *h = r->reg.homography.h;

		printf("homography: [%.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g]\n",
		       h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]);
	}
	if (r->reg.affine_residual_ratio > 0)	/* both models measured on one level */
		printf("model: affine residual %.3f x noise, projective %.3f x noise on pyramid "
		       "level %d; chi-square %.1f (projective above %.1f)\n",
		       r->reg.affine_residual_ratio, r->reg.projective_residual_ratio,
		       r->reg.model_level, r->reg.model_chi2, DSR_REGISTER_AUTO_CHI2);
	if (po->have_known)
		printf("quality: from landmarks\n");
	else
		printf("quality: %.4f (ECC correlation over %.0f %% overlap), residual %.2f x noise, "
		       "%u iterations, %.3f s\n", r->reg.quality, 100 * r->reg.overlap,
		       r->reg.residual_ratio, r->reg.iterations, r->reg.seconds);
	printf("registers (%u-bit pixels):\n", p->pixel_bits);
	printf("  A11 0x%08x  A12 0x%08x  TX 0x%08x   (Q8.24, Q8.24, Q16.16)\n",
	       (uint32_t)p->a11, (uint32_t)p->a12, (uint32_t)p->tx);
	printf("  A21 0x%08x  A22 0x%08x  TY 0x%08x\n", (uint32_t)p->a21, (uint32_t)p->a22,
	       (uint32_t)p->ty);
	if (dsr_params_projective(p))
		printf("  H31 0x%08x  H32 0x%08x   (Q-8.40)\n", (uint32_t)p->h31, (uint32_t)p->h32);
	printf("  GAIN 0x%04x  MIDGREY %u\n", p->gain, p->midgrey);
	printf("quantised: [%.9g, %.9g, %.9g, %.9g, %.9g, %.9g]\n", q->a11, q->a12, q->tx,
	       q->a21, q->a22, q->ty);
	printf("LUT: %s, live ~ %.4f * ref %+.1f, residual %.1f grey levels over %llu pixels\n",
	       dsr_lut_method_name(po->lut_method), r->contrast.gain, r->contrast.offset,
	       r->contrast.residual, (unsigned long long)r->contrast.samples);
}

int cmd_register(int argc, char **argv)
{
	struct register_opts o;
	struct pair_result r;
	struct cli_progress pg = { 0 };
	struct dsr_image *ref = NULL, *live = NULL;
	uint8_t *mask = NULL;
	json_t *report = json_object();
	int i = register_parse(argc, argv, &o), rc = DSR_EXIT_FAIL;

	memset(&r, 0, sizeof(r));
	if (i < 0) {
		fprintf(stderr, "dsr register: %s\n", dsr_error());
		json_decref(report);
		return DSR_EXIT_USAGE;
	}
	const char *inputs[] = { argv[i], argv[i + 1], o.mask, o.landmarks };
	if (o.output && dsr_output_check(o.output, inputs, 4) < 0)
		goto fail;
	{	/* two DICOM files of different patients are not a pair */
		struct dsr_dicom_identity fresh, who, src[2];
		struct dsr_identity_outcome idout;

		identity_fresh(&o.id, &fresh);
		if (identity_for(argv[i], argv[i + 1], &o.id, &fresh, &who, src, &idout) < 0)
			goto fail;
		if (idout.mismatch_accepted)
			json_object_set_new(report, "mismatch_override", json_string(idout.note));
	}
	ref = dsr_image_load_frame(argv[i], o.pair.frame);
	live = ref ? dsr_image_load_frame(argv[i + 1], o.pair.frame) : NULL;
	if (!ref || !live)
		goto fail;
	if (o.mask) {
		mask = load_mask(o.mask, live->width, live->height);
		if (!mask)
			goto fail;
		o.pair.reg.mask = mask;
	}
	if (o.landmarks && fit_landmarks(&o, &o.pair, report))
		goto fail;
	if (!o.quiet) {
		cli_progress_begin(&pg, "register");
		o.pair.reg.progress = cli_progress_fn;
		o.pair.reg.progress_ctx = &pg;
	}
	int prc = pair_prepare(ref, live, &o.pair, &r);

	cli_progress_end(&pg);
	if (prc) {
		if (!r.registered && !o.pair.have_known && r.reg.quality != 0)
			fprintf(stderr, "dsr register: the best estimate (not a result) had quality "
				"%.4f over %.0f %% overlap\n", r.reg.quality, 100 * r.reg.overlap);
		goto fail;
	}
	json_t *pair = json_pair(&r, &o.pair);

	json_object_update(report, pair);
	json_decref(pair);
	if (!o.pair.have_known)
		json_object_set_new(report, "residual_ratio", json_real(r.reg.residual_ratio));
	if (o.output && save_parameters(o.output, &r, &o.pair, report))
		goto fail;
	if (o.json) {
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		printf("\n");
	} else {
		print_text(&r, &o.pair);
		if (o.output)
			printf("parameters written to %s\n", o.output);
	}
	rc = DSR_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "dsr register: %s\n", dsr_error());
out:
	pair_result_free(&r);
	json_decref(report);
	free(mask);
	dsr_image_free(ref);
	dsr_image_free(live);
	return rc;
}

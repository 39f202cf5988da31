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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/montage.h"
#include "dsr/outputs.h"
#include "dsr/record.h"
#include "dsr/register.h"
#include "dsr/dicom_color.h"
#include "measure_out.h"
#include "pacs_ref.h"
#include "pipeline.h"
#include "util.h"

#define SUBTRACT_CMD "subtract"

/* What the command line asked for. */
struct subtract_opts {
	const char *ref_path, *live_path;
	const char *params_path;	/* -p: the alignment to apply */
	const char *out_path;		/* -o: the model's output frame */
	uint32_t mode;			/* DSR_MODE_SUBTRACT, or --mode warp|pass */
	int quiet;
	int do_register;		/* --register: estimate the alignment instead of -p */
	struct pair_opts pair;		/* --model, --lut, --mask, --gain, --midgrey */
	const char *mask_path;
	const char *montage_path;	/* --montage: the technician's picture */
	struct measure_opts meas;	/* --region, --overlay (OUT-overlay.png) */
	const char *dicom_path;		/* --dicom FILE: the difference as DICOM too */
	struct dsr_identity_opts id;	/* --patient-* ..., checked against DICOM sources */
	struct record_opts rec;		/* --teeth, --dates */
};

/* Everything the stages pass along; freed by subtract_job_free. */
struct subtract_job {
	struct dsr_image *ref, *live;
	struct dsr_alignment al;
	struct dsr_image *out;
	uint8_t *mask;			/* --mask, non-zero = ignore */
	struct dsr_register_result reg;	/* with --register */
	struct dsr_contrast_info contrast;
	struct cli_progress *pg;
	struct dsr_dicom_identity ident, src[2];	/* who the outputs belong to */
	char display_path[4096];	/* OUT-display.png and its window */
	double window_centre, window_width;
	struct dsr_identity_outcome idout;
};

static void subtract_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr subtract REF LIVE (-p PARAMS | --register) -o OUT [--montage M.png]\n"
		"Subtract the follow-up LIVE from the baseline REF exactly as the board does:\n"
		"warp REF by the parameters' registers (bilinear, edge replication), map it\n"
		"through their LUT, and output clamp(midgrey + gain * (LIVE - REF')). The result\n"
		"is bit-exact with the RTL, at the parameters' pixel depth (.png is 16-bit).\n\n"
		"  -p, --params PARAMS     parameter file (JSON: \"registers\" and/or \"affine\",\n"
		"                          optional \"lut\"), e.g. from dsr register or\n"
		"                          dsr sample --truth; its frame size must be the images'\n"
		"      --register          estimate the alignment here instead of -p: register\n"
		"                          LIVE onto REF and match the contrast (as dsr register)\n"
		"      --model M           with --register: translation|rigid|similarity|affine|\n"
		"                          projective|auto (default auto, as dsr register)\n"
		"      --lut METHOD        with --register: histogram|linear|identity (default\n"
		"                          histogram)\n"
		"      --mask FILE         with --register: non-zero pixels are ignored\n"
		"      --gain G            with --register: gain on the difference (default 1)\n"
		"      --midgrey N         with --register: 'no change' level (default half range)\n"
		"  -o, --output OUT        the output image (.png, .tif, .pgm)\n"
		"      --dicom FILE        also write the difference as DICOM (the sources'\n"
		"                          patient and study; identity options below)\n"
		"      --montage M.png     also write one picture for a technician: reference,\n"
		"                          live, aligned reference, difference, checkerboard\n"
		"      --mode MODE         subtract (default), warp (the aligned reference) or\n"
		"                          pass (LIVE as the board passes it through)\n"
		"  -q, --quiet             no progress bar and no summary line\n"
		PAIR_FRAME_HELP
		"  -h, --help              this help\n%s"
		"  (--overlay writes OUT's name with -overlay.png; measurements go to stdout)\n%s\n"
		"A subtraction also writes OUT's name with -display.png: 8 bits for any viewer,\n"
		"window stated on stdout. Out of field (no reference there) is 0 in both.\n"
		"On success one line on stdout names what was written and the registration\n"
		"quality. No output may be one of the inputs (the same file under any name).\n"
		"exit status: 0 written, 1 failed (unreadable input, sizes or depths that do not\n"
		"match the parameters, different patients, registration did not succeed),\n"
		"2 usage error\n", MEASURE_HELP, IDENTITY_HELP RECORD_HELP);
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
		PAIR_FRAME_LONG_OPTION,
		{ "register", no_argument, NULL, 'R' },
		{ "model", required_argument, NULL, 'm' },
		{ "lut", required_argument, NULL, 'L' },
		{ "mask", required_argument, NULL, 'K' },
		{ "gain", required_argument, NULL, 'g' },
		{ "midgrey", required_argument, NULL, 'G' },
		{ "montage", required_argument, NULL, 'T' },
		{ "dicom", required_argument, NULL, 'D' },
		IDENTITY_LONG_OPTIONS,
		RECORD_LONG_OPTIONS,
		MEASURE_LONG_OPTIONS,
		/* new options here; their handling in the switch below */
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->mode = DSR_MODE_SUBTRACT;
	pair_opts_default(&o->pair);
	measure_opts_default(&o->meas);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:o:qh", longopts, NULL)) != -1) {
		int pair = pair_opts_option(&o->pair, c, optarg);

		if (pair < 0)
			return -1;
		if (pair > 0)
			continue;
		switch (c) {
		case 'p': o->params_path = optarg; break;
		case 'o': o->out_path = optarg; break;
		case 'M':
			if (parse_mode(optarg, &o->mode))
				return -1;
			break;
		case 'q': o->quiet = 1; break;
		case 'h': return 1;
		case 'R': o->do_register = 1; break;
		case 'K': o->mask_path = optarg; break;
		case 'T': o->montage_path = optarg; break;
		case 'D': o->dicom_path = optarg; break;
		default:
			switch (identity_option(c, optarg, &o->id)) {
			case 1: continue;
			case -1: return -1;
			}
			switch (record_option(&o->rec, c, optarg)) {
			case 1: continue;
			case -1: return -1;
			}
			switch (measure_option(&o->meas, c, optarg)) {
			case 1: continue;
			case -1: return -1;
			}
			return dsr_seterr("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (record_opts_finish(&o->rec) < 0)
		return -1;
	if (argc - optind != 2)
		return dsr_seterr("expected REF and LIVE");
	o->ref_path = argv[optind];
	o->live_path = argv[optind + 1];
	if (!o->params_path == !o->do_register)
		return dsr_seterr("give exactly one of -p PARAMS and --register");
	if (!o->do_register && (o->mask_path || o->pair.gain != 1.0 || o->pair.midgrey >= 0 ||
				o->pair.reg.motion != DSR_MOTION_AUTO ||
				o->pair.lut_method != DSR_LUT_HISTOGRAM))
		return dsr_seterr("--model, --lut, --mask, --gain and --midgrey go with --register "
				  "(-p PARAMS has its own)");
	if (!o->out_path)
		return dsr_seterr("-o OUT is required");
	if ((o->meas.n || o->meas.overlay) && o->mode != DSR_MODE_SUBTRACT)
		return dsr_seterr("--region and --overlay measure a subtraction (not --mode warp|pass)");
	return 0;
}

/* Both images, of one size. */
static int load_frames(const struct subtract_opts *o, struct subtract_job *j)
{
	j->ref = dsr_image_load_frame(o->ref_path, o->pair.frame);
	if (!j->ref)
		return -1;
	j->live = dsr_image_load_frame(o->live_path, o->pair.frame);
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
static int alignment_from_file(const struct subtract_opts *o, struct subtract_job *j)
{
	uint32_t bits = j->ref->bits > j->live->bits ? j->ref->bits : j->live->bits;
	uint32_t depth;

	if (dsr_alignment_load(o->params_path, &j->al))
		return -1;
	depth = j->al.params.width ? j->al.params.pixel_bits : 0;
	if (depth && pair_pixel_bits(bits) != depth)
		return dsr_seterr("the images have %u-bit pixels (the board takes them at %u bits) "
				  "but %s is for %u bits: register this pair, or use the parameters "
				  "made for its depth", bits, pair_pixel_bits(bits), o->params_path,
				  depth);
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

/* Registration progress on the command's bar, between 10 % and 40 %. */
static void register_progress(void *ctx, double fraction, const char *stage)
{
	cli_progress_update(ctx, 0.1 + 0.3 * fraction, stage);
}

/* The mask file as a byte per pixel, non-zero = ignore. */
static int load_mask(const char *path, struct subtract_job *j)
{
	struct dsr_image *m = dsr_image_load(path);

	if (!m)
		return -1;
	if (m->width != j->live->width || m->height != j->live->height) {
		dsr_seterr("%s: mask is %ux%u but the frames are %ux%u", path, m->width, m->height,
			   j->live->width, j->live->height);
		dsr_image_free(m);
		return -1;
	}
	j->mask = malloc((size_t)m->width * m->height);
	if (j->mask)
		for (size_t i = 0; i < (size_t)m->width * m->height; i++)
			j->mask[i] = m->pixels[i] != 0;
	dsr_image_free(m);
	return j->mask ? 0 : dsr_seterr("out of memory for the mask");
}

/*
 * --register: the alignment estimated from the frames themselves, exactly as
 * `dsr register` makes it (pipeline.c: registration, contrast LUT, quantised
 * registers); a registration that fails is an error, never a guessed transform.
 */
static int alignment_by_registration(struct subtract_opts *o, struct subtract_job *j)
{
	struct pair_result r;

	if (o->mask_path) {
		if (load_mask(o->mask_path, j))
			return -1;
		o->pair.reg.mask = j->mask;
	}
	if (j->pg->tty) {
		o->pair.reg.progress = register_progress;
		o->pair.reg.progress_ctx = j->pg;
	}
	if (pair_prepare(j->ref, j->live, &o->pair, &r)) {
		pair_result_free(&r);
		return -1;
	}
	j->reg = r.reg;
	j->contrast = r.contrast;
	j->al.affine = r.reg.affine;
	j->al.params = r.params;
	j->al.lut = r.lut;	/* handed over: the alignment frees it */
	r.lut = NULL;
	snprintf(j->al.lut_kind, sizeof(j->al.lut_kind), "%s",
		 dsr_lut_method_name(o->pair.lut_method));
	j->al.quality = r.reg.quality;
	pair_result_free(&r);
	return 0;
}

/* The alignment to apply: from -p PARAMS or by --register. */
static int obtain_alignment(struct subtract_opts *o, struct subtract_job *j)
{
	return o->do_register ? alignment_by_registration(o, j) : alignment_from_file(o, j);
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
	if (p.mode == DSR_MODE_SUBTRACT) {	/* out of field is not change: marked 0 */
		uint8_t *valid = malloc((size_t)p.width * p.height);

		if (!valid)
			return dsr_seterr("out of memory for the field mask");
		dsr_model_field_mask(&p, valid);
		dsr_mark_out_of_field(j->out, valid);
		free(valid);
	}
	return 0;
}

/* The montage's text panel: where the alignment came from and how good it is. */
static void montage_caption(const struct subtract_opts *o, const struct subtract_job *j,
			    char *buf, size_t size)
{
	const struct dsr_affine *a = &j->al.affine;
	const struct dsr_params *p = &j->al.params;
	int n = 0;

	if (o->do_register)
		n = snprintf(buf, size, "REGISTERED (%s)\nQUALITY %.4f, OVERLAP %.0f %%\n"
			     "RESIDUAL %.2f X NOISE\n", dsr_motion_name(o->pair.reg.motion),
			     j->reg.quality, 100 * j->reg.overlap, j->reg.residual_ratio);
	else
		n = snprintf(buf, size, "PARAMETERS FROM FILE\nQUALITY %s\n",
			     isfinite(j->al.quality) ? "AS RECORDED" : "NOT RECORDED");
	if (n < 0 || (size_t)n >= size)
		return;
	snprintf(buf + n, size - (size_t)n,
		 "U = %.5f X %+.5f Y %+.2f\nV = %.5f X %+.5f Y %+.2f\n"
		 "ROTATION %.2f DEG, SCALE %.4f\nLUT %s\nGAIN %.2f, MIDGREY %u, %u BIT\n",
		 a->a11, a->a12, a->tx, a->a21, a->a22, a->ty,
		 atan2(a->a21, a->a11) * 180 / M_PI, sqrt(fabs(a->a11 * a->a22 - a->a12 * a->a21)),
		 j->al.lut_kind[0] ? j->al.lut_kind : "identity",
		 p->gain / (double)(1 << DSR_GAIN_FRAC_BITS), p->midgrey, p->pixel_bits);
}

/* OUT's name without its extension, then @suffix. */
static void beside(const char *path, const char *suffix, char *buf, size_t size)
{
	const char *dot = strrchr(path, '.');
	int len = dot && !strchr(dot, '/') ? (int)(dot - path) : (int)strlen(path);

	snprintf(buf, size, "%.*s%s", len, path, suffix);
}

/* The difference as 8 bits for any viewer, beside OUT (OUT-display.png); its window goes
 * into the summary. Only a subtraction has one. */
static int write_display(const struct subtract_opts *o, struct subtract_job *j)
{
	size_t n = (size_t)j->out->width * j->out->height;
	uint8_t *valid;
	struct dsr_image *d;
	int rc;

	if (o->mode != DSR_MODE_SUBTRACT)
		return 0;
	valid = malloc(n);
	if (!valid)
		return dsr_seterr("out of memory for the field mask");
	dsr_model_field_mask(&j->al.params, valid);
	d = dsr_difference_display(j->out, valid, j->al.params.midgrey, &j->window_centre,
				   &j->window_width);
	free(valid);
	beside(o->out_path, "-display.png", j->display_path, sizeof(j->display_path));
	const char *in[] = { o->ref_path, o->live_path, o->params_path, o->mask_path };
	rc = d && dsr_output_check(j->display_path, in, 4) == 0 ?
	     dsr_image_save(d, j->display_path) : -1;
	dsr_image_free(d);
	return rc;
}

/*
 * --region and --overlay: measurements on stdout and in @caption (the montage's), the
 * overlay beside OUT, and beside the --dicom FILE as an RGB Secondary Capture.
 */
static int measure_outputs(const struct subtract_opts *o, struct subtract_job *j,
			   char *caption, size_t size)
{
	char png[4096], dcm[4096];
	struct measure_result mr;
	json_t *rep = json_object();

	beside(o->out_path, "-overlay.png", png, sizeof(png));
	int rc = measure_pair(&o->meas, j->ref, j->live, &j->al.params,
			      o->do_register ? &j->contrast : NULL, j->out, png, rep, &mr);
	if (rc == 0 && mr.rgb && o->dicom_path) {
		struct dsr_dicom_color cc = { .like = o->dicom_path };
		beside(o->dicom_path, "-overlay.dcm", dcm, sizeof(dcm));
		rc = dsr_dicom_save_rgb(mr.rgb, mr.w, mr.h, &cc, dcm, NULL);
		if (rc == 0)
			printf("overlay %s\n", dcm);
	}
	if (rc == 0 && mr.text[0])
		printf("%s", mr.text);
	if (rc == 0 && mr.rgb)
		printf("overlay %s\n", png);
	snprintf(caption, size, "%s", mr.caption);
	measure_result_free(&mr);
	json_decref(rep);
	return rc;
}

/* --dicom FILE: the difference as a DICOM derived image of the sources' patient. */
static int write_dicom(const struct subtract_opts *o, struct subtract_job *j)
{
	char deriv[600], visits[2][40];
	const struct dsr_affine *a = &j->al.affine;

	if (!o->dicom_path)
		return 0;
	record_visit(&o->rec, 0, &j->src[0], visits[0], sizeof(visits[0]));
	record_visit(&o->rec, 1, &j->src[1], visits[1], sizeof(visits[1]));
	if (o->mode != DSR_MODE_SUBTRACT)
		return dsr_seterr("--dicom writes the difference: not with --mode warp or pass");
	snprintf(deriv, sizeof(deriv), "DSR subtraction: live - LUT(warp(reference)), affine "
		 "[%.6f %.6f %.3f; %.6f %.6f %.3f], gain %.3f, midgrey %u; out of field = %d; "
		 "baseline %s, follow-up %s", a->a11, a->a12, a->tx, a->a21, a->a22, a->ty,
		 j->al.params.gain / 256.0, j->al.params.midgrey, DSR_OUT_OF_FIELD, visits[0],
		 visits[1]);
	struct dsr_dicom_derived dd = {
		.identity = &j->ident, .sources = j->src, .n_sources = 2, .derivation = deriv,
		.midgrey = j->al.params.midgrey,
		.comments = j->idout.note[0] ? j->idout.note : NULL,
		.io_source = dsr_dicom_probe(o->live_path) ? o->live_path : o->ref_path,
		.teeth = o->rec.teeth.n ? &o->rec.teeth : NULL,
	};
	uint8_t *valid = malloc((size_t)j->out->width * j->out->height);
	if (!valid)
		return dsr_seterr("out of memory for the field mask");
	dsr_model_field_mask(&j->al.params, valid);
	dd.field = valid;
	if (j->idout.unidentified)
		fprintf(stderr, "dsr subtract: warning: no patient identity (no --patient-id for "
			"non-DICOM sources): the DICOM output is marked %s\n", DSR_UNIDENTIFIED);
	int rc = dsr_dicom_save_derived(j->out, &dd, o->dicom_path, NULL);
	free(valid);
	return rc;
}

/* The one-line summary of a success, on stdout whatever it is connected to. */
static void print_summary(const struct subtract_opts *o, const struct subtract_job *j)
{
	char q[64] = "from the parameter file, not recorded";

	if (o->do_register)
		snprintf(q, sizeof(q), "%.4f (registered, overlap %.0f %%)", j->reg.quality,
			 100 * j->reg.overlap);
	else if (isfinite(j->al.quality))
		snprintf(q, sizeof(q), "%.4f (as recorded in %s)", j->al.quality, o->params_path);
	printf("subtract: %s written (%ux%u, %u bits%s%s); registration quality %s\n",
	       o->out_path, j->out->width, j->out->height, j->out->bits,
	       o->dicom_path ? ", DICOM " : "", o->dicom_path ? o->dicom_path : "", q);
	if (j->display_path[0])
		printf("subtract: %s: 8-bit view, window centre %.0f width %.0f (0 = out of "
		       "field)\n", j->display_path, j->window_centre, j->window_width);
}

/* The output image, DICOM, measurements, and the montage when asked for. */
static int write_outputs(const struct subtract_opts *o, struct subtract_job *j)
{
	char caption[1024], measured[512];
	struct dsr_image *m;
	int rc;

	if (dsr_image_save(j->out, o->out_path) || write_display(o, j) || write_dicom(o, j) ||
	    measure_outputs(o, j, measured, sizeof(measured)))
		return -1;
	if (!o->montage_path)
		return 0;
	montage_caption(o, j, caption, sizeof(caption));
	size_t used = strlen(caption);
	snprintf(caption + used, sizeof(caption) - used, "%s", measured);
	m = dsr_montage_pair(j->ref, j->live, &j->al.params, j->al.lut, caption);
	if (!m)
		return -1;
	rc = dsr_image_save(m, o->montage_path);
	dsr_image_free(m);
	return rc;
}

/* Before any work: no output is an input, and the sources are one patient. */
static int subtract_check_inputs(const struct subtract_opts *o, struct subtract_job *j)
{
	const char *in[] = { o->ref_path, o->live_path, o->params_path, o->mask_path };
	const char *out[] = { o->out_path, o->montage_path, o->dicom_path };
	struct dsr_dicom_identity fresh;

	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		if (out[i] && dsr_output_check(out[i], in, sizeof(in) / sizeof(in[0])) < 0)
			return -1;
	identity_fresh(&o->id, &fresh);
	return identity_for(o->ref_path, o->live_path, &o->id, &fresh, &j->ident, j->src,
			    &j->idout);
}

static void subtract_job_free(struct subtract_job *j)
{
	dsr_image_free(j->ref);
	dsr_image_free(j->live);
	dsr_image_free(j->out);
	dsr_alignment_free(&j->al);
	free(j->mask);
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
	char pacs_ref[4096];	/* REF as pacs:latest or pacs:UID: the fetched baseline */
	if (pacs_reference_hook(SUBTRACT_CMD, &o.ref_path, o.live_path, pacs_ref, sizeof(pacs_ref)) < 0)
		return DSR_EXIT_FAIL;
	memset(&j, 0, sizeof(j));
	dsr_alignment_init(&j.al);
	if (o.quiet)
		pg.tty = 0;
	else
		cli_progress_begin(&pg, SUBTRACT_CMD);
	j.pg = &pg;
	cli_progress_update(&pg, 0.1, "loading");
	rc = subtract_check_inputs(&o, &j);
	if (rc == 0)
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
	if (rc == 0 && !o.quiet)
		print_summary(&o, &j);
	subtract_job_free(&j);
	return rc ? cli_fail(SUBTRACT_CMD) : DSR_EXIT_OK;
}

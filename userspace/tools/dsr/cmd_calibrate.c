/*
 * cmd_calibrate.c - `dsr calibrate`: what a technician runs once the sensor and the
 * patient's baseline are in place. Through the board (kernel device or libusb):
 *
 *   1. reference and live frame: acquired from the board's source (capture, then
 *      pass-through), or taken from files (reference uploaded into the frame store, live
 *      played through in pass-through mode and received back);
 *   2. registration and contrast LUT on the host, checked against a quality threshold
 *      (nothing is uploaded below it unless --force, and the message says why);
 *   3. parameters + LUT uploaded with one commit (a new parameter generation);
 *   4. the live frame played through again in subtract mode, and the board's output
 *      compared bit for bit with the reference model (dsr_model_frame);
 *   5. a report: transform, quality, residuals, the generation and reference behind
 *      every saved frame; montage, difference PNG and DICOM.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/board.h"
#include "dsr/error.h"
#include "dsr/outputs.h"
#include "dsr/record.h"
#include "dsr/montage.h"
#include "dsr/dicom_color.h"
#include "measure_out.h"
#include "pacs_ref.h"
#include "pipeline.h"

/* one default for --min-quality in every command: registration's own */
#define CAL_DEFAULT_MIN_QUALITY	DSR_REGISTER_MIN_QUALITY
#define CAL_TIMEOUT_MS		60000

struct cal_opts {
	struct board_opt board;		/* --usb / --device, as every board command */
	const char *ref_path, *live_path, *outdir;
	double min_quality;
	int force, frames, dicom, have_lesion, timeout_ms;
	double lesion[3];
	struct pair_opts pair;
	struct dsr_identity_opts id;
	struct record_opts rec;		/* --teeth, --dates */
	struct measure_opts meas;
};

static void cal_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr calibrate [--device /dev/dsrN | --usb [SERIAL|BUS:ADDR]] [--reference FILE\n"
		"                     --live FILE] [--force] [--min-quality Q] [-o DIR] [options]\n"
		"Brings the board into register with the reference: reference and live frame from\n"
		"the board (capture, then pass-through) or from files played through the board;\n"
		"registration and contrast LUT on the host; upload of parameters + LUT; one\n"
		"subtraction frame from the board checked bit for bit against the software path.\n"
		"Writes DIR/report.json, DIR/montage.png, DIR/difference.png and (DICOM sources or\n--dicom) DIR/difference.dcm.\n\n"
		BOARD_HELP
		"  -r, --reference FILE    reference (baseline) image, uploaded to the frame store\n"
		"  -l, --live FILE         live (follow-up) image, played through the board\n"
		"      --force             upload even below the quality threshold\n"
		"      --min-quality Q     threshold on the registration quality (default %.2f)\n"
		"  -o, --output DIR        where to write (default calibration/)\n"
		"  -n, --frames N          subtraction frames to stream and check (default 1)\n"
		"  -m, --model M           translation|rigid|similarity|affine|projective|auto\n"
		"                          (default auto: projective only where it lowers the\n"
		"                          residual by more than noise explains)\n"
		"      --lut METHOD        histogram|linear|identity (default histogram)\n"
		"      --gain G            gain on the difference (default 1.0)\n"
		"      --midgrey N         grey level of 'no change' (default half range)\n"
		"      --known A           skip registration, use a11,a12,tx,a21,a22,ty\n"
		"      --lesion X,Y,R      report the CNR of a lesion at reference (X, Y), radius R\n"
		"      --dicom             write DIR/difference.dcm also for non-DICOM sources\n"
		"                          (DICOM sources always get one)\n"
		"      --timeout MS        per frame (default %d)\n"
		PAIR_FRAME_HELP
		"  -h, --help              this help\n%s%s"
		"exit status: 0 calibrated and bit-exact, 1 refused or failed, 2 usage error\n",
		CAL_DEFAULT_MIN_QUALITY, CAL_TIMEOUT_MS, IDENTITY_HELP RECORD_HELP, MEASURE_HELP);
}

/* Parse the command line; 0, or -1 for a usage error (message in dsr_error()). */
static int cal_parse(int argc, char **argv, struct cal_opts *o)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "reference", required_argument, NULL, 'r' },
		{ "live", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'F' },
		{ "min-quality", required_argument, NULL, 'Q' },
		{ "output", required_argument, NULL, 'o' },
		{ "frames", required_argument, NULL, 'n' },
		{ "model", required_argument, NULL, 'm' },
		{ "lut", required_argument, NULL, 'L' },
		{ "gain", required_argument, NULL, 'g' },
		{ "midgrey", required_argument, NULL, 'G' },
		{ "known", required_argument, NULL, 'K' },
		{ "lesion", required_argument, NULL, 'E' },
		{ "dicom", no_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		PAIR_FRAME_LONG_OPTION,
		IDENTITY_LONG_OPTIONS,
		RECORD_LONG_OPTIONS,
		MEASURE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	memset(o, 0, sizeof(*o));
	pair_opts_default(&o->pair);
	measure_opts_default(&o->meas);
	o->min_quality = CAL_DEFAULT_MIN_QUALITY;
	o->frames = 1;
	o->outdir = "calibration";
	o->timeout_ms = CAL_TIMEOUT_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:l:o:n:m:h", longopts, NULL)) != -1) {
		int handled = board_opt_handle(&o->board, c, argc, argv);
		if (handled < 0)
			return dsr_seterr("bad board option");
		if (handled)
			continue;
		handled = pair_opts_option(&o->pair, c, optarg);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		switch (c) {
		case 'r': o->ref_path = optarg; break;
		case 'l': o->live_path = optarg; break;
		case 'F': o->force = 1; break;
		case 'o': o->outdir = optarg; break;
		case 'D': o->dicom = 1; break;
		case 'h': cal_usage(stdout); exit(DSR_EXIT_OK);
		case 'Q':
			o->min_quality = strtod(optarg, &end);
			if (*end || !(o->min_quality > 0 && o->min_quality <= 1))
				return dsr_seterr("--min-quality '%s': expected 0 < Q <= 1", optarg);
			break;
		case 'n':
			o->frames = (int)strtol(optarg, &end, 10);
			if (*end || o->frames < 1 || o->frames > 100000)
				return dsr_seterr("--frames '%s': expected 1..100000", optarg);
			break;
		case 'T':
			o->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || o->timeout_ms < 1)
				return dsr_seterr("--timeout '%s': expected milliseconds > 0", optarg);
			break;
		case 'K':
			if (parse_affine(optarg, &o->pair.known) < 0)
				return -1;
			o->pair.have_known = 1;
			break;
		case 'E':
			if (parse_lesion(optarg, o->lesion) < 0)
				return -1;
			o->have_lesion = 1;
			break;
		default:
			handled = identity_option(c, optarg, &o->id);
			if (handled < 0)
				return -1;
			if (handled)
				break;
			handled = measure_option(&o->meas, c, optarg);
			if (handled == 0)
				handled = record_option(&o->rec, c, optarg);
			if (handled < 0)
				return -1;
			if (handled)
				break;
			return dsr_seterr("unknown option");
		}
	}
	if (record_opts_finish(&o->rec) < 0)
		return -1;
	if (optind < argc)
		return dsr_seterr("unexpected argument '%s'", argv[optind]);
	if (!o->ref_path != !o->live_path)
		return dsr_seterr("--reference and --live go together (or neither: acquire both)");
	return 0;
}

/* Say what is happening, as it happens (the demo's log is made of these). */
static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("calibrate: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/*
 * The next frame made by parameter generation @gen or later in @mode; older frames still
 * in flight are skipped (counted in *skipped). The pixels are copied into a new image.
 */
static struct dsr_image *receive(struct dsr_board *b, uint32_t gen, uint32_t mode, int timeout_ms,
				 struct dsr_frame_info *fi, unsigned *skipped)
{
	struct dsr_frame f;
	for (int tries = 0; tries < 64; tries++) {
		if (dsr_board_next_frame(b, &f, timeout_ms) < 0)
			return NULL;
		if (f.info.generation < gen || (f.info.flags & DSR_FLAG_MODE_MASK) != mode) {
			(*skipped)++;
			continue;
		}
		if (f.info.flags & DSR_FLAG_BAD) {
			dsr_seterr("the board flagged frame %u bad (input size error)", f.info.sequence);
			return NULL;
		}
		struct dsr_image *im = dsr_image_new(f.info.width, f.info.height, f.info.pixel_bits);
		if (!im)
			return NULL;
		memcpy(im->pixels, f.pixels, (size_t)f.info.width * f.info.height * 2);
		*fi = f.info;
		return im;
	}
	dsr_seterr("no frame of generation %u in mode %u among the last 64 received", gen, mode);
	return NULL;
}

/* The next frame of generation @gen or later, whatever its mode, copied into an image. */
static struct dsr_image *receive_any(struct dsr_board *b, uint32_t gen, int timeout_ms,
				     struct dsr_frame_info *fi)
{
	struct dsr_frame f;
	do {
		if (dsr_board_next_frame(b, &f, timeout_ms) < 0)
			return NULL;
	} while (f.info.generation < gen);
	struct dsr_image *im = dsr_image_new(f.info.width, f.info.height, f.info.pixel_bits);
	if (!im)
		return NULL;
	memcpy(im->pixels, f.pixels, (size_t)f.info.width * f.info.height * 2);
	*fi = f.info;
	return im;
}

/* A frame's header as a JSON line of the report: which generation and reference made it. */
static json_t *json_frame(const struct dsr_frame_info *fi, const char *what, const char *ref_crc,
			  const char *file)
{
	json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:I, s:i, s:s}", "what", what,
			      "sequence", (json_int_t)fi->sequence, "generation", (json_int_t)fi->generation,
			      "mode", (json_int_t)(fi->flags & DSR_FLAG_MODE_MASK),
			      "timestamp", (json_int_t)fi->timestamp, "flags", (json_int_t)fi->flags,
			      "reference_crc32", ref_crc);
	if (file)
		json_object_set_new(j, "file", json_string(file));
	return j;
}

/* Set the board's mode for frames of this geometry, identity warp; returns the generation
 * frames made with it will carry. No waiting: the commit applies at the next frame start,
 * and the frames are told apart by their generation. */
static int64_t set_mode(struct dsr_board *b, uint32_t mode, uint32_t w, uint32_t h, uint32_t bits)
{
	struct dsr_params p;
	dsr_params_default(&p, w, h, bits);
	p.mode = mode;
	return dsr_board_set_params(b, &p, NULL, 0);
}

/* The CRC the report names a reference by: of its pixels masked to the board's depth. */
static void reference_crc(const struct dsr_image *ref, uint32_t bits, char hex[16])
{
	size_t n = (size_t)ref->width * ref->height;
	uint16_t mask = (uint16_t)((1u << bits) - 1);
	uint32_t crc = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = ref->pixels[i] & mask;
		uint8_t le[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
		crc = dsr_crc32(crc, le, 2);
	}
	snprintf(hex, 16, "%08x", crc);
}

/* Everything one calibration run holds, so the steps below stay small. */
struct cal_run {
	struct cal_opts *o;
	struct dsr_board *b;
	struct dsr_board_about about;
	struct dsr_image *ref, *live, *file_live, *board_diff, *model_diff;
	uint32_t bits;
	char ref_crc[16];
	int64_t generation;
	struct pair_result res;
	json_t *report, *frames;
	unsigned skipped;
	struct dsr_dicom_identity id, src[2];	/* the outputs' identity, its sources' */
	struct dsr_identity_outcome idout;
	uint8_t *field;		/* the difference's field mask (model.h) */
};

/* Step 1 from files, before any board is touched: load both images. */
static int cal_load_files(struct cal_run *r)
{
	struct dsr_dicom_identity fresh;

	identity_fresh(&r->o->id, &fresh);
	if (identity_for(r->o->ref_path, r->o->live_path, &r->o->id, &fresh, &r->id, r->src,
			 &r->idout) < 0)
		return -1;
	r->ref = dsr_image_load_frame(r->o->ref_path, r->o->pair.frame);
	r->file_live = r->ref ? dsr_image_load_frame(r->o->live_path, r->o->pair.frame) : NULL;
	if (!r->file_live)
		return -1;
	r->bits = pair_pixel_bits(r->ref->bits > r->file_live->bits ? r->ref->bits : r->file_live->bits);
	r->live = dsr_image_copy(r->file_live);
	if (!r->live)
		return -1;
	reference_crc(r->ref, r->bits, r->ref_crc);
	return 0;
}

/* Then through the board: upload the reference, play the live frame through in
 * pass-through mode and check that the board hands back exactly that frame. */
static int cal_play_files(struct cal_run *r)
{
	struct dsr_frame_info fi;
	const struct dsr_image *fl = r->file_live;
	int64_t gen = set_mode(r->b, DSR_MODE_PASS, fl->width, fl->height, r->bits);
	if (gen < 0)
		return -1;
	step("uploading reference %s (%ux%u, %u bits)", r->o->ref_path, r->ref->width,
	     r->ref->height, r->ref->bits);
	if (dsr_board_upload_reference(r->b, r->ref) < 0 || dsr_board_stream_on(r->b) < 0)
		return -1;
	step("playing live frame %s through the board (pass-through, generation %lld)",
	     r->o->live_path, (long long)gen);
	if (dsr_board_send_live(r->b, fl) < 0)
		return -1;
	struct dsr_image *got = receive(r->b, (uint32_t)gen, DSR_MODE_PASS, r->o->timeout_ms, &fi,
					&r->skipped);
	if (!got)
		return -1;
	json_array_append_new(r->frames, json_frame(&fi, "live (pass-through)", r->ref_crc, NULL));
	/* the board hands back the live frame masked to its depth: it must be the same */
	size_t n = (size_t)fi.width * fi.height, bad = n;
	if (fi.width == fl->width && fi.height == fl->height)
		for (bad = 0; bad < n; bad++)
			if (got->pixels[bad] != (fl->pixels[bad] & ((1u << r->bits) - 1)))
				break;
	dsr_image_free(got);
	if (bad < n)
		return dsr_seterr("the pass-through frame differs from the live file at pixel %zu: "
				  "the board's input path is broken", bad);
	return 0;
}

/* Step 1 from the board's own source: capture the next frame as reference, then one
 * frame in pass-through as live. */
static int cal_inputs_from_board(struct cal_run *r)
{
	struct dsr_frame_info fi, cap;
	struct dsr_params cur;
	/* the sensor's geometry is what the board is configured for now */
	if (dsr_board_get_params(r->b, &cur) < 0)
		return -1;
	uint32_t w = cur.width, h = cur.height;
	r->bits = cur.pixel_bits;
	int64_t gen = set_mode(r->b, DSR_MODE_CAPTURE, w, h, r->bits);
	step("capturing the next frame from the board as reference (generation %lld)", (long long)gen);
	if (gen < 0 || dsr_board_stream_on(r->b) < 0)
		return -1;
	r->ref = receive(r->b, (uint32_t)gen, DSR_MODE_CAPTURE, r->o->timeout_ms, &cap, &r->skipped);
	if (!r->ref)
		return -1;
	int64_t pass = set_mode(r->b, DSR_MODE_PASS, w, h, r->bits);
	step("acquiring a live frame in pass-through (generation %lld)", (long long)pass);
	if (pass < 0)
		return -1;
	/* Until the pass-through commit applies, every sensor frame is captured again and
	 * replaces the stored reference: the last capture frame before the first
	 * pass-through frame is the reference the board holds. */
	for (;;) {
		struct dsr_image *im = receive_any(r->b, (uint32_t)gen, r->o->timeout_ms, &fi);
		if (!im)
			return -1;
		uint32_t mode = fi.flags & DSR_FLAG_MODE_MASK;
		if (mode == DSR_MODE_PASS && fi.generation >= (uint32_t)pass) {
			r->live = im;
			break;
		}
		if (mode == DSR_MODE_CAPTURE) {
			dsr_image_free(r->ref);
			r->ref = im;
			cap = fi;
		} else {
			dsr_image_free(im);
			r->skipped++;
		}
	}
	reference_crc(r->ref, r->bits, r->ref_crc);
	json_array_append_new(r->frames, json_frame(&cap, "reference (captured)", r->ref_crc, NULL));
	json_array_append_new(r->frames, json_frame(&fi, "live (pass-through)", r->ref_crc, NULL));
	return 0;
}

/* Step 2: register on the host and apply the quality threshold. 0 = upload it. */
static int cal_register(struct cal_run *r)
{
	struct pair_opts po = r->o->pair;
	struct progress pg;
	progress_init(&pg, 1);
	pg.label = "registration";
	po.reg.progress = progress_update;
	po.reg.progress_ctx = &pg;
	po.reg.min_quality = 1e-6;	/* the threshold is applied below, with --force */
	if (po.reg.motion == DSR_MOTION_AUTO && r->about.rtl_version < DSR_RTL_VERSION_PROJECTIVE)
		po.reg.motion = DSR_MOTION_AFFINE;	/* this board cannot warp projectively */
	step("registering live against reference on the host (%s model)",
	     dsr_motion_name(po.reg.motion));
	int rc = pair_prepare(r->ref, r->live, &po, &r->res);
	progress_done(&pg);
	json_t *pj = json_pair(&r->res, &po);
	json_object_set_new(r->report, "registration", pj);
	if (rc < 0)
		return -1;
	const struct dsr_affine *a = &r->res.reg.affine;
	step("transform live->reference: [%.6f %.6f %.3f; %.6f %.6f %.3f]", a->a11, a->a12, a->tx,
	     a->a21, a->a22, a->ty);
	double qrms, qmax;
	dsr_affine_distance(&r->res.reg.affine, &r->res.quantised, r->live->width, r->live->height,
			    &qrms, &qmax);
	json_object_set_new(pj, "quantisation_error_px", json_pack("{s:f, s:f}", "rms", qrms, "max", qmax));
	step("residuals: contrast %.2f grey levels RMS after the %s LUT, quantisation max %.5f px",
	     r->res.contrast.residual, dsr_lut_method_name(po.lut_method), qmax);
	if (po.have_known)
		step("quality: not measured (known transform given)");
	if (!po.have_known) {
		step("quality %.5f (threshold %g), overlap %.3f, %u iterations, %.2f s",
		     r->res.reg.quality, r->o->min_quality, r->res.reg.overlap, r->res.reg.iterations,
		     r->res.reg.seconds);
		if (r->res.reg.quality < r->o->min_quality) {
			json_object_set_new(r->report, "refused", json_string("quality below threshold"));
			if (!r->o->force)
				return dsr_seterr("registration quality %.5f is below the threshold %g: "
						  "the reference and live frames do not match well enough "
						  "(wrong patient or tooth, too much motion, or a failed "
						  "exposure); nothing was uploaded. Retake the live frame, "
						  "or use --force to upload anyway",
						  r->res.reg.quality, r->o->min_quality);
			step("quality below threshold: uploading anyway because of --force");
		}
	}
	return 0;
}

/* Steps 3-4: upload, stream subtraction frames of the live frame, compare with the model. */
static int cal_upload_and_check(struct cal_run *r)
{
	struct dsr_frame_info fi;
	char path[PATH_MAX];
	r->generation = dsr_board_set_params(r->b, &r->res.params, r->res.lut, 0);
	if (r->generation < 0)
		return -1;
	step("uploaded parameters + LUT: generation %lld", (long long)r->generation);
	json_object_set_new(r->report, "generation", json_integer(r->generation));
	if (pair_subtract(r->ref, r->live, &r->res) < 0)
		return -1;
	r->model_diff = r->res.difference;
	r->res.difference = NULL;
	size_t n = (size_t)r->live->width * r->live->height, mismatched = 0;
	for (int k = 0; k < r->o->frames; k++) {
		if (dsr_board_send_live(r->b, r->live) < 0)
			return -1;
		size_t bad = n;
		/* With the board's own source streaming, its frames interleave with the one
		 * played: ours is the one the model predicts exactly (a sensor frame matching
		 * it bit for bit is not a realistic accident). From files there is no source
		 * and the first frame is ours. */
		for (int tries = 0; tries < (r->o->ref_path ? 1 : 8) && bad; tries++) {
			dsr_image_free(r->board_diff);
			r->board_diff = receive(r->b, (uint32_t)r->generation, DSR_MODE_SUBTRACT,
						r->o->timeout_ms, &fi, &r->skipped);
			if (!r->board_diff)
				return -1;
			if (fi.flags & DSR_FLAG_NO_REFERENCE)
				return dsr_seterr("the board has no reference stored (frame %u)",
						  fi.sequence);
			bad = 0;
			for (size_t i = 0; i < n; i++)
				bad += r->board_diff->pixels[i] != r->model_diff->pixels[i];
		}
		mismatched += bad;
		snprintf(path, sizeof(path), "%s/difference.png", r->o->outdir);
		json_t *fj = json_frame(&fi, "subtraction", r->ref_crc, k == r->o->frames - 1 ? path : NULL);
		json_object_set_new(fj, "pixels_differing_from_model", json_integer((json_int_t)bad));
		json_array_append_new(r->frames, fj);
		if (r->o->frames > 1 && isatty(1))
			printf("\rcalibrate: subtraction frame %d/%d, sequence %u, generation %u, %zu pixels differ",
			       k + 1, r->o->frames, fi.sequence, fi.generation, bad);
	}
	if (r->o->frames > 1 && isatty(1))
		printf("\n");
	json_object_set_new(r->report, "bit_exact", json_boolean(mismatched == 0));
	json_object_set_new(r->report, "frames_checked", json_integer(r->o->frames));
	json_object_set_new(r->report, "pixels_checked", json_integer((json_int_t)(n * r->o->frames)));
	if (mismatched) {
		/* keep both for whoever debugs the disagreement */
		snprintf(path, sizeof(path), "%s/board-difference.png", r->o->outdir);
		dsr_image_save(r->board_diff, path);
		snprintf(path, sizeof(path), "%s/model-difference.png", r->o->outdir);
		dsr_image_save(r->model_diff, path);
		return dsr_seterr("the board's subtraction differs from the reference model in %zu of "
				  "%zu pixels: RTL and model disagree (both saved in %s)", mismatched,
				  n * r->o->frames, r->o->outdir);
	}
	step("%d subtraction frame(s) from the board match the software path bit for bit (%zu pixels)",
	     r->o->frames, n * r->o->frames);
	return 0;
}

/* Regions and the overlay (PNG, and DICOM beside the difference @dcm unless NULL) into
 * the report. */
static int cal_measure(struct cal_run *r, const char *dcm, struct measure_result *mres)
{
	char png[PATH_MAX], path[PATH_MAX], sop[DSR_DICOM_UID_LEN];
	snprintf(png, sizeof(png), "%s/overlay.png", r->o->outdir);
	if (measure_pair(&r->o->meas, r->ref, r->live, &r->res.params, &r->res.contrast,
			 r->board_diff, png, r->report, mres) < 0)
		return -1;
	if (mres->text[0])
		step("measurements:\n%s", mres->text);
	if (!mres->rgb || !dcm)
		return 0;
	struct dsr_dicom_color cc = { .like = dcm };
	snprintf(path, sizeof(path), "%s/overlay.dcm", r->o->outdir);
	if (dsr_dicom_save_rgb(mres->rgb, mres->w, mres->h, &cc, path, sop) < 0) {
		measure_result_free(mres);
		return -1;
	}
	json_t *ov = json_object_get(r->report, "overlay");
	json_object_set_new(ov, "dicom", json_string(path));
	json_object_set_new(ov, "sop_instance_uid", json_string(sop));
	return 0;
}

/* Step 5: difference PNG + DICOM, measurements, montage, lesion. */
static int cal_outputs(struct cal_run *r)
{
	char path[PATH_MAX];
	size_t npx = (size_t)r->board_diff->width * r->board_diff->height;
	uint8_t *valid = malloc(npx);
	if (!valid)
		return dsr_seterr("out of memory for the field mask");
	/* checked bit for bit above; what is written marks out of field (record.h) */
	dsr_model_field_mask(&r->res.params, valid);
	dsr_mark_out_of_field(r->board_diff, valid);
	double mean, sd, wc, ww;
	size_t in_field = dsr_field_stats(r->board_diff, valid, &mean, &sd);
	struct dsr_image *disp = dsr_difference_display(r->board_diff, valid,
							 r->res.params.midgrey, &wc, &ww);
	r->field = valid;	/* for the DICOM's overlay; freed with the run */
	snprintf(path, sizeof(path), "%s/difference-display.png", r->o->outdir);
	if (!disp || dsr_image_save(disp, path) < 0) {
		dsr_image_free(disp);
		return -1;
	}
	dsr_image_free(disp);
	json_object_set_new(r->report, "difference", json_pack("{s:f, s:f, s:i, s:i, s:{s:s, s:f, s:f}}",
			    "mean", mean, "sd", sd, "out_of_field_pixels",
			    (json_int_t)(npx - in_field), "out_of_field_value",
			    (json_int_t)DSR_OUT_OF_FIELD, "display", "png", path, "window_centre",
			    wc, "window_width", ww));
	snprintf(path, sizeof(path), "%s/difference.png", r->o->outdir);
	if (dsr_image_save(r->board_diff, path) < 0)
		return -1;
	char deriv[600], sop[DSR_DICOM_UID_LEN];
	const struct dsr_affine *a = &r->res.quantised;
	if (!r->o->ref_path) {	/* frames from the board: the identity is the options' */
		struct dsr_dicom_identity fresh;
		identity_fresh(&r->o->id, &fresh);
		if (identity_for(NULL, NULL, &r->o->id, &fresh, &r->id, r->src, &r->idout) < 0)
			return -1;
	}
	char visits[2][40];
	record_visit(&r->o->rec, 0, &r->src[0], visits[0], sizeof(visits[0]));
	record_visit(&r->o->rec, 1, &r->src[1], visits[1], sizeof(visits[1]));
	snprintf(deriv, sizeof(deriv), "DSR board subtraction, generation %lld: live - LUT(warp(reference)), "
		 "affine [%.6f %.6f %.3f; %.6f %.6f %.3f]; out of field = %d; baseline %s, "
		 "follow-up %s", (long long)r->generation, a->a11, a->a12, a->tx, a->a21, a->a22,
		 a->ty, DSR_OUT_OF_FIELD, visits[0], visits[1]);
	struct dsr_dicom_derived dd = { .identity = &r->id, .sources = r->src, .n_sources = 2,
					.derivation = deriv, .midgrey = r->res.params.midgrey,
					.comments = r->idout.note[0] ? r->idout.note : NULL,
					.teeth = r->o->rec.teeth.n ? &r->o->rec.teeth : NULL,
					.field = r->field };
	json_object_set_new(r->report, "record", json_record(&r->o->rec));
	json_object_set_new(r->report, "visits", json_pack("{s:s, s:s}", "baseline", visits[0],
			    "follow_up", visits[1]));
	if (r->o->live_path)
		dd.io_source = dsr_dicom_probe(r->o->live_path) ? r->o->live_path : r->o->ref_path;
	int want_dicom = r->o->dicom || (r->o->ref_path && (dsr_dicom_probe(r->o->ref_path) ||
							     dsr_dicom_probe(r->o->live_path)));
	json_object_set_new(r->report, "patient", json_patient(&r->id, &r->idout));
	snprintf(path, sizeof(path), "%s/difference.dcm", r->o->outdir);
	if (want_dicom) {
		if (r->idout.unidentified)
			fprintf(stderr, "dsr calibrate: warning: no patient identity (no --patient-id "
				"for non-DICOM sources): the DICOM output is marked %s\n",
				DSR_UNIDENTIFIED);
		if (dsr_dicom_save_derived(r->board_diff, &dd, path, sop) < 0)
			return -1;
		json_object_set_new(r->report, "dicom", json_pack("{s:s, s:s, s:s}", "file", path,
				    "sop_instance_uid", sop, "study_instance_uid",
				    r->id.study_instance_uid));
	}
	struct measure_result mres;
	if (cal_measure(r, want_dicom ? path : NULL, &mres) < 0)
		return -1;
	measure_result_free(&mres);	/* the text stays for the caption */
	/* montage: reference, live, aligned reference, difference, checkerboard, caption */
	char caption[2048];
	snprintf(caption, sizeof(caption),
		 "board %s, generation %lld\n"
		 "reference crc32 %s\n"
		 "a11 a12 tx %.5f %.5f %.2f\n"
		 "a21 a22 ty %.5f %.5f %.2f\n"
		 "quality %.4f, residual %.1f\n"
		 "board = model, bit for bit\n%s",
		 r->about.serial, (long long)r->generation, r->ref_crc, a->a11, a->a12, a->tx,
		 a->a21, a->a22, a->ty, r->res.reg.quality, r->res.contrast.residual, mres.caption);
	/* the model's pair montage: the same frames (checked bit for bit), out of field
	 * hatched */
	struct dsr_image *m = dsr_montage_pair(r->ref, r->live, &r->res.params, r->res.lut,
					       caption);
	snprintf(path, sizeof(path), "%s/montage.png", r->o->outdir);
	int rc = m ? dsr_image_save(m, path) : -1;
	dsr_image_free(m);
	if (rc < 0)
		return -1;
	json_object_set_new(r->report, "montage", json_string(path));
	if (r->o->have_lesion) {
		double cnr = measure_lesion(r->o->lesion, &r->res.quantised, r->ref, r->live,
					    &r->res.params, &r->res.contrast, r->board_diff, r->report);
		json_t *les = json_object_get(r->report, "lesion");
		json_t *xy = json_object_get(les, "live_xy");
		if (cnr >= 0)
			step("lesion at live (%.1f, %.1f): contrast-to-noise ratio %.2f",
			     json_real_value(json_array_get(xy, 0)), json_real_value(json_array_get(xy, 1)),
			     cnr);
		else
			step("lesion: %s", json_string_value(json_object_get(les, "refused")));
	}
	return 0;
}

/* Open the board and describe it in the report. */
static int cal_open(struct cal_run *r)
{
	r->b = dsr_board_open(r->o->board.spec);
	if (!r->b || dsr_board_about(r->b, &r->about) < 0)
		return -1;
	step("board %s via %s%s, RTL %u.%u, frame store up to %ux%u, %u bits",
	     r->about.serial, r->about.transport, r->about.simulated ? " (simulated)" : "",
	     r->about.rtl_version >> 16, r->about.rtl_version & 0xffff, r->about.max_width,
	     r->about.max_height, r->about.pixel_bits_max);
	json_object_set_new(r->report, "board", json_pack("{s:s, s:s, s:b, s:i}", "serial",
			    r->about.serial, "transport", r->about.transport, "simulated",
			    r->about.simulated, "rtl_version", (json_int_t)r->about.rtl_version));
	return 0;
}

/* Leave the board streaming nothing, and free what the run holds. */
static void cal_close(struct cal_run *r)
{
	if (r->b) {
		dsr_board_stream_off(r->b);
		dsr_board_close(r->b);
	}
	dsr_image_free(r->ref);
	dsr_image_free(r->live);
	dsr_image_free(r->file_live);
	dsr_image_free(r->board_diff);
	dsr_image_free(r->model_diff);
	free(r->field);
	pair_result_free(&r->res);
	json_decref(r->report);
}

int cmd_calibrate(int argc, char **argv)
{
	struct cal_opts o;
	struct cal_run r;
	char path[PATH_MAX];
	if (cal_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "dsr calibrate: %s\nsee 'dsr calibrate --help'\n", dsr_error());
		return DSR_EXIT_USAGE;
	}
	char pacs_ref[PATH_MAX];	/* --reference pacs:latest or pacs:UID: the fetched baseline */
	if (pacs_reference_hook("calibrate", &o.ref_path, o.live_path, pacs_ref, sizeof(pacs_ref)) < 0)
		return DSR_EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.report = json_object();
	r.frames = json_array();
	json_object_set_new(r.report, "command", json_string("calibrate"));
	json_object_set_new(r.report, "frames", r.frames);
	const char *inputs[] = { o.ref_path, o.live_path };
	static const char *const outs[] = { "difference.png", "difference.dcm", "montage.png",
					    "difference-display.png", "overlay.png", "overlay.dcm",
					    "report.json", "board-difference.png",
					    "model-difference.png" };
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o.outdir, outs[i]);
		if (dsr_output_check(path, inputs, 2) < 0) {
			fprintf(stderr, "dsr calibrate: %s\n", dsr_error());
			json_decref(r.report);
			return DSR_EXIT_USAGE;
		}
	}
	/* a calibration replaces its directory's previous run: exactly the files that run's
	 * manifest lists (a stale difference.dcm must not wait there for the PACS) */
	size_t removed;
	if (dsr_output_dir_prepare(o.outdir, 1, inputs, 2, &removed) < 0) {
		fprintf(stderr, "dsr calibrate: %s\n", dsr_error());
		json_decref(r.report);
		return DSR_EXIT_FAIL;
	}
	int rc;
	if (o.ref_path) {
		/* files: register first, so a pair that does not match is refused offline */
		rc = cal_load_files(&r);
		if (rc == 0)
			rc = cal_register(&r);
		if (rc == 0)
			rc = cal_open(&r);
		if (rc == 0)
			rc = cal_play_files(&r);
	} else {
		rc = cal_open(&r);
		if (rc == 0)
			rc = cal_inputs_from_board(&r);
		if (rc == 0)
			rc = cal_register(&r);
	}
	if (r.ref)
		json_object_set_new(r.report, "reference", json_pack("{s:s?, s:s, s:i, s:i}",
				    "file", o.ref_path, "crc32", r.ref_crc, "width",
				    (json_int_t)r.ref->width, "height", (json_int_t)r.ref->height));
	if (rc == 0)
		rc = cal_upload_and_check(&r);
	if (rc == 0)
		rc = cal_outputs(&r);
	json_object_set_new(r.report, "status", json_string(rc == 0 ? "calibrated" : "failed"));
	if (rc < 0)
		json_object_set_new(r.report, "error", json_string(dsr_error()));
	if (r.skipped)
		json_object_set_new(r.report, "stale_frames_skipped", json_integer(r.skipped));
	snprintf(path, sizeof(path), "%s/report.json", o.outdir);
	if (rc < 0)
		fprintf(stderr, "dsr calibrate: %s\n", dsr_error());
	if (json_save(r.report, path) < 0) {
		fprintf(stderr, "dsr calibrate: %s\n", dsr_error());
		rc = -1;
	} else {
		step("report %s", path);
	}
	struct dsr_manifest man = { 0 };
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o.outdir, outs[i]);
		if (access(path, F_OK) == 0 && dsr_manifest_add(&man, outs[i]) < 0)
			rc = -1;
	}
	if (dsr_manifest_save(&man, o.outdir, "calibrate") < 0) {
		fprintf(stderr, "dsr calibrate: %s\n", dsr_error());
		rc = -1;
	}
	dsr_manifest_free(&man);
	cal_close(&r);
	return rc == 0 ? DSR_EXIT_OK : DSR_EXIT_FAIL;
}

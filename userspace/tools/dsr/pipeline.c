/*
 * pipeline.c - register, match contrast, quantise and subtract one pair on the host,
 * and the command-line glue around it: the options several commands share, report JSON,
 * progress. The decisions themselves (identity, the record, what is written) are
 * libdsr's (identity.h, record.h, outputs.h); this file only parses options into them.
 * See pipeline.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsr/error.h"
#include "pipeline.h"
#include "util.h"

void pair_opts_default(struct pair_opts *o)
{
	memset(o, 0, sizeof(*o));
	dsr_register_opts_default(&o->reg);
	o->lut_method = DSR_LUT_HISTOGRAM;
	o->gain = 1.0;
	o->midgrey = -1;
	o->frame = -1;
}

int pair_opts_option(struct pair_opts *o, int c, const char *arg)
{
	uint64_t midgrey;

	switch (c) {
	case 'm':
		return dsr_motion_parse(arg, &o->reg.motion) < 0 ? -1 : 1;
	case 'L':
		return dsr_lut_method_parse(arg, &o->lut_method) < 0 ? -1 : 1;
	case 'g':
		return cli_parse_double("--gain", arg, 1.0 / (1 << DSR_GAIN_FRAC_BITS),
					(double)DSR_GAIN_MAX / (1 << DSR_GAIN_FRAC_BITS),
					&o->gain) < 0 ? -1 : 1;
	case 'G':
		if (cli_parse_uint("--midgrey", arg, 0, DSR_MIDGREY_MAX, &midgrey) < 0)
			return -1;
		o->midgrey = (long)midgrey;
		return 1;
	case PAIR_OPT_FRAME:
		if (cli_parse_uint("--frame", arg, 1, 1u << 30, &midgrey) < 0)
			return -1;
		o->frame = (long)midgrey - 1;
		return 1;
	default:
		return 0;
	}
}

uint32_t pair_pixel_bits(uint32_t bits)
{
	return bits < DSR_PIXEL_BITS_MIN ? DSR_PIXEL_BITS_MIN : bits;
}

/* Gain and midgrey into the parameter set, refusing what the registers cannot hold. */
static int set_output(struct dsr_params *p, const struct pair_opts *o)
{
	double g = nearbyint(o->gain * (1 << DSR_GAIN_FRAC_BITS));
	if (!(g >= 0 && g <= DSR_GAIN_MAX))
		return dsr_seterr("gain %g does not fit the board's Q8.8 register (0..%g)", o->gain,
				  (double)DSR_GAIN_MAX / (1 << DSR_GAIN_FRAC_BITS));
	p->gain = (uint32_t)g;
	if (o->midgrey >= 0) {
		if (o->midgrey >= (1l << p->pixel_bits))
			return dsr_seterr("midgrey %ld is not below 2^%u", o->midgrey, p->pixel_bits);
		p->midgrey = (uint32_t)o->midgrey;
	}
	return 0;
}

int pair_prepare(const struct dsr_image *ref, const struct dsr_image *live,
		 const struct pair_opts *o, struct pair_result *res)
{
	const char *why;
	memset(res, 0, sizeof(*res));
	if (ref->width != live->width || ref->height != live->height)
		return dsr_seterr("reference is %ux%u but live frame is %ux%u: sizes must match",
				  ref->width, ref->height, live->width, live->height);
	if (o->have_known) {
		res->reg.affine = o->known;
		dsr_homography_from_affine(&o->known, &res->reg.homography);
		if (o->known_projective) {
			res->reg.homography = o->known_h;
			res->reg.projective = 1;
		}
		res->reg.quality = NAN;
		res->registered = 1;
	} else {
		if (dsr_register_pair(ref, live, &o->reg, &res->reg) < 0)
			return -1;
		res->registered = 1;
	}
	uint32_t bits = pair_pixel_bits(ref->bits > live->bits ? ref->bits : live->bits);
	dsr_params_default(&res->params, live->width, live->height, bits);
	if ((res->reg.projective ? dsr_params_set_homography(&res->params, &res->reg.homography)
				 : dsr_params_set_affine(&res->params, &res->reg.affine)) < 0 ||
	    set_output(&res->params, o) < 0)
		return -1;
	if (dsr_params_check(&res->params, 0, 0, &why) < 0)
		return dsr_seterr("parameters refused: %s", why);
	dsr_params_get_affine(&res->params, &res->quantised);
	res->lut = malloc(DSR_LUT_SIZE * sizeof(uint16_t));
	if (!res->lut)
		return dsr_seterr("out of memory for the LUT");
	if (dsr_params_projective(&res->params)) {	/* the LUT under the whole warp */
		struct dsr_homography qh;

		dsr_params_get_homography(&res->params, &qh);
		return dsr_contrast_lut_h(ref, live, &qh, o->reg.mask, o->lut_method, bits,
					  res->lut, &res->contrast);
	}
	return dsr_contrast_lut(ref, live, &res->quantised, o->reg.mask, o->lut_method, bits,
				res->lut, &res->contrast);
}

int pair_subtract(const struct dsr_image *ref, const struct dsr_image *live,
		  struct pair_result *res)
{
	dsr_image_free(res->difference);
	res->difference = dsr_image_new(live->width, live->height, res->params.pixel_bits);
	if (!res->difference)
		return -1;
	dsr_model_frame(&res->params, res->lut, ref->pixels, live->pixels, res->difference->pixels);
	return 0;
}

void pair_result_free(struct pair_result *res)
{
	free(res->lut);
	dsr_image_free(res->difference);
	res->lut = NULL;
	res->difference = NULL;
}

/* ---- reports --------------------------------------------------------------------- */

json_t *json_affine(const struct dsr_affine *a)
{
	return json_pack("[ffffff]", a->a11, a->a12, a->tx, a->a21, a->a22, a->ty);
}

json_t *json_params(const struct dsr_params *p)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			 "mode", (json_int_t)p->mode, "width", (json_int_t)p->width,
			 "height", (json_int_t)p->height, "pixel_bits", (json_int_t)p->pixel_bits,
			 "a11", (json_int_t)p->a11, "a12", (json_int_t)p->a12,
			 "a21", (json_int_t)p->a21, "a22", (json_int_t)p->a22,
			 "tx", (json_int_t)p->tx, "ty", (json_int_t)p->ty,
			 "gain", (json_int_t)p->gain, "midgrey", (json_int_t)p->midgrey);
}

/* A number, or null when it is not one (quality of a known transform). */
static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

const char *pair_model_name(const struct pair_result *res, const struct pair_opts *o)
{
	if (res->reg.projective)
		return "projective";
	return dsr_motion_name(o->reg.motion >= DSR_MOTION_PROJECTIVE ? DSR_MOTION_AFFINE
								 : o->reg.motion);
}

json_t *json_pair(const struct pair_result *res, const struct pair_opts *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "method", json_string(o->have_known ? "known" : "registered"));
	json_object_set_new(j, "motion", json_string(dsr_motion_name(o->reg.motion)));
	json_object_set_new(j, "model", json_string(pair_model_name(res, o)));
	json_object_set_new(j, "affine", json_affine(&res->reg.affine));
	if (res->reg.projective) {
		const double *h = res->reg.homography.h;

		json_object_set_new(j, "homography", json_pack("[fffffffff]", h[0], h[1], h[2],
							       h[3], h[4], h[5], h[6], h[7],
							       h[8]));
	}
	if (res->reg.model_chi2 != 0 || res->reg.affine_residual_ratio > 0)
		json_object_set_new(j, "model_choice", json_pack(
			"{s:i, s:o, s:o, s:o, s:f}", "level", (json_int_t)res->reg.model_level,
			"affine_residual_ratio", json_num(res->reg.affine_residual_ratio),
			"projective_residual_ratio", json_num(res->reg.projective_residual_ratio),
			"chi2", json_num(res->reg.model_chi2), "chi2_threshold",
			DSR_REGISTER_AUTO_CHI2));
	json_object_set_new(j, "affine_quantised", json_affine(&res->quantised));
	json_object_set_new(j, "quality", json_num(res->reg.quality));
	json_object_set_new(j, "overlap", json_num(o->have_known ? NAN : res->reg.overlap));
	json_object_set_new(j, "iterations", json_integer(res->reg.iterations));
	json_object_set_new(j, "seconds", json_num(res->reg.seconds));
	json_object_set_new(j, "registers", json_params(&res->params));
	json_object_set_new(j, "lut", json_pack("{s:s, s:i, s:f, s:f, s:f}",
		"method", dsr_lut_method_name(o->lut_method), "samples",
		(json_int_t)res->contrast.samples, "gain", res->contrast.gain,
		"offset", res->contrast.offset, "residual", res->contrast.residual));
	return j;
}

json_t *json_patient(const struct dsr_dicom_identity *id, const struct dsr_identity_outcome *o)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "name", id->patient_name,
			      "id", id->patient_id, "birth_date", id->patient_birth_date,
			      "sex", id->patient_sex, "study_instance_uid", id->study_instance_uid,
			      "unidentified", o->unidentified);
	if (o->mismatch_accepted)
		json_object_set_new(j, "mismatch_override", json_string(o->note));
	return j;
}

int json_save(json_t *root, const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0) {
		unlink(tmp);
		return dsr_seterr("%s: cannot write the JSON report", path);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return dsr_seterr("%s: cannot rename the JSON report into place", path);
	}
	return 0;
}

int affine_invert_point(const struct dsr_affine *a, double u, double v, double *x, double *y)
{
	double det = a->a11 * a->a22 - a->a12 * a->a21;
	if (fabs(det) < 1e-12)
		return -1;
	u -= a->tx;
	v -= a->ty;
	*x = (a->a22 * u - a->a12 * v) / det;
	*y = (-a->a21 * u + a->a11 * v) / det;
	return 0;
}

/* ---- DICOM identity ----------------------------------------------------------------- */

void identity_fresh(const struct dsr_identity_opts *io, struct dsr_dicom_identity *id)
{
	dsr_dicom_identity_anonymous(id);
	if (io->given_mask & (1u << DSR_ID_STUDY_UID))
		snprintf(id->study_instance_uid, sizeof(id->study_instance_uid), "%s",
			 io->given.study_instance_uid);
}

/* A source's identity if it is a DICOM file; an empty one (no SOP UID) otherwise. */
static int source_identity(const char *path, struct dsr_dicom_identity *id)
{
	memset(id, 0, sizeof(*id));
	if (!path || !dsr_dicom_probe(path))
		return 0;
	return dsr_dicom_read_identity(path, id);
}

int identity_for(const char *ref_path, const char *live_path,
		 const struct dsr_identity_opts *io, const struct dsr_dicom_identity *fresh,
		 struct dsr_dicom_identity *out, struct dsr_dicom_identity src[2],
		 struct dsr_identity_outcome *outcome)
{
	if (source_identity(ref_path, &src[0]) < 0 || source_identity(live_path, &src[1]) < 0)
		return -1;
	return dsr_identity_resolve(&src[0], &src[1], io, fresh, out, outcome);
}

int identity_option(int opt, const char *arg, struct dsr_identity_opts *io)
{
	int i = opt - IDENTITY_OPT_FIRST;

	if (i == DSR_ID_FIELDS) {
		io->accept_mismatch = 1;
		return 1;
	}
	if (i < 0 || i > DSR_ID_FIELDS)
		return 0;
	return dsr_identity_opts_set(io, (enum dsr_identity_field)i, arg) < 0 ? -1 : 1;
}

int record_option(struct record_opts *r, int c, const char *arg)
{
	switch (c - RECORD_OPT_FIRST) {
	case 0:
		r->teeth_arg = arg;
		return 1;
	case 1:
		return dsr_tooth_numbering_parse(arg, &r->numbering) < 0 ? -1 : 1;
	case 2: {
		char buf[1024], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", arg);
		r->n_dates = 0;
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (r->n_dates == RECORD_MAX_DATES)
				return dsr_seterr("--dates: more than %d dates", RECORD_MAX_DATES), -1;
			if (dsr_visit_date_parse("--dates", t, r->dates[r->n_dates]) < 0)
				return -1;
			r->n_dates++;
		}
		return 1;
	}
	default:
		return 0;
	}
}

int record_opts_finish(struct record_opts *r)
{
	if (!r->teeth_arg)
		return 0;
	return dsr_teeth_parse(r->teeth_arg, r->numbering, &r->teeth);
}

void record_visit(const struct record_opts *r, size_t i, struct dsr_dicom_identity *src,
		  char *buf, size_t size)
{
	if (!src->acquisition_date[0] && i < r->n_dates)
		snprintf(src->acquisition_date, sizeof(src->acquisition_date), "%s", r->dates[i]);
	dsr_visit_format(src->acquisition_date, src->acquisition_time, buf, size);
}

json_t *json_record(const struct record_opts *r)
{
	json_t *fdi = json_array(), *uni = json_array();
	char text[256];

	for (unsigned i = 0; i < r->teeth.n; i++) {
		json_array_append_new(fdi, json_integer(r->teeth.fdi[i]));
		json_array_append_new(uni, json_integer(dsr_tooth_universal(r->teeth.fdi[i])));
	}
	dsr_teeth_format(&r->teeth, text, sizeof(text));
	return json_pack("{s:{s:o, s:o, s:s}, s:{s:s, s:s, s:s}, s:s}",
			 "teeth", "fdi", fdi, "universal", uni, "text", text,
			 "procedure", "code", DSR_CDT_D0394, "scheme", DSR_CDT_SCHEME,
			 "meaning", DSR_CDT_D0394_MEANING, "legend", RECORD_LEGEND);
}

/* Parse exactly @n comma-separated finite numbers from @s. */
static int parse_numbers(const char *s, double *v, int n)
{
	const char *p = s;
	for (int i = 0; i < n; i++) {
		char *end;
		v[i] = strtod(p, &end);
		if (end == p || !isfinite(v[i]))
			return -1;
		p = end;
		if (i < n - 1) {
			if (*p != ',')
				return -1;
			p++;
		}
	}
	return *p ? -1 : 0;
}

int parse_affine(const char *s, struct dsr_affine *a)
{
	double v[6];
	if (parse_numbers(s, v, 6) < 0)
		return dsr_seterr("'%s': expected six numbers a11,a12,tx,a21,a22,ty", s);
	*a = (struct dsr_affine){ v[0], v[1], v[2], v[3], v[4], v[5] };
	return 0;
}

/* ---- progress --------------------------------------------------------------------- */

void progress_init(struct progress *pg, size_t items)
{
	memset(pg, 0, sizeof(*pg));
	pg->tty = isatty(STDERR_FILENO);
	pg->items = items ? items : 1;
	pg->span = 1.0;
}

void progress_update(void *ctx, double fraction, const char *stage)
{
	struct progress *pg = ctx;
	const int width = 30;
	if (!pg->tty)
		return;
	double f = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
	double total = (pg->item + pg->lo + f * pg->span) / pg->items;
	int fill = (int)(total * width + 0.5);
	fprintf(stderr, "\r[%.*s%*s] %3d%%  %zu/%zu %-24.24s %-16.16s", fill,
		"##############################", width - fill, "", (int)(total * 100 + 0.5),
		pg->item + 1 > pg->items ? pg->items : pg->item + 1, pg->items,
		pg->label ? pg->label : "", stage ? stage : "");
	fflush(stderr);
}

void progress_done(struct progress *pg)
{
	if (pg->tty)
		fprintf(stderr, "\r%*s\r", 100, "");
}

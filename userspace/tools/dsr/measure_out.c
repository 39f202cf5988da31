/*
 * measure_out.c - measurement options and reports for the subtracting commands. See
 * measure_out.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "measure_out.h"
#include "pipeline.h"
#include "util.h"

#define NOISE_METHOD \
	"median |3x3 Laplacian [1 -2 1; -2 4 -2; 1 -2 1]| / (0.6745 * 6), per frame and per " \
	"bin of grey level; each pixel's noise taken at its level"

void measure_opts_default(struct measure_opts *mo)
{
	memset(mo, 0, sizeof(*mo));
	mo->k = DSR_OVERLAY_K;
	mo->alpha = 0.05;
}

int measure_option(struct measure_opts *mo, int c, const char *arg)
{
	switch (c - MEASURE_OPT_FIRST) {
	case 0:
		if (mo->n == MEASURE_MAX_REGIONS)
			return dsr_seterr("--region: at most %d regions", MEASURE_MAX_REGIONS);
		if (dsr_region_parse(arg, &mo->regions[mo->n]) < 0)
			return -1;
		mo->specs[mo->n++] = arg;
		return 1;
	case 1:
		mo->overlay = 1;
		return 1;
	case 2:
		return cli_parse_double("--overlay-k", arg, 0.5, 20, &mo->k) < 0 ? -1 : 1;
	case 3:
		if (cli_parse_double("--alpha", arg, 1e-9, 0.5, &mo->alpha) < 0)
			return -1;
		return 1;
	default:
		return 0;
	}
}

int parse_lesion(const char *s, double v[3])
{
	if (cli_parse_doubles("--lesion", s, v, 3) < 0)
		return -1;
	if (!(v[2] > 0))
		return dsr_seterr("--lesion '%s': the radius must be > 0", s);
	return 0;
}

/* A number, or null when it is not one. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Noise models of both frames: each frame's sigma by grey level. */
struct frame_noise {
	struct dsr_noise_model live, ref;
};

/* The measurement context of a subtracted pair; @valid and @fn filled in. */
static int make_ctx(const struct dsr_image *ref, const struct dsr_image *live,
		    const struct dsr_params *params, const struct dsr_contrast_info *contrast,
		    const struct dsr_image *diff, double alpha, struct dsr_measure_ctx *c,
		    uint8_t **valid, struct frame_noise *fn)
{
	int have_fit = contrast && isfinite(contrast->gain) && contrast->gain > 0 &&
		       isfinite(contrast->offset);

	memset(c, 0, sizeof(*c));
	if (!(params->gain > 0))
		return dsr_seterr("a difference with gain 0 cannot be measured");
	if (dsr_noise_model_estimate(live, &fn->live) < 0 || dsr_noise_model_estimate(ref, &fn->ref) < 0)
		return -1;
	*valid = malloc((size_t)live->width * live->height);
	if (!*valid)
		return dsr_seterr("out of memory for the field mask");
	dsr_model_field_mask(params, *valid);
	c->difference = diff;
	c->live = live;
	c->valid = *valid;
	c->midgrey = params->midgrey;
	c->gain = params->gain / (double)(1 << DSR_GAIN_FRAC_BITS);
	c->lut_slope = have_fit ? contrast->gain : 1;
	c->lut_offset = have_fit ? contrast->offset : 0;
	c->alpha = alpha;
	c->sigma_live = fn->live.global;
	c->sigma_ref = fn->ref.global;
	c->noise_live = &fn->live;
	c->noise_ref = &fn->ref;
	return 0;
}

/* A noise model as [[level, sigma], ...] at its bin centres. */
static json_t *json_curve(const struct dsr_noise_model *nm)
{
	json_t *a = json_array();

	for (int b = 0; b < nm->bins; b++) {
		double level = nm->lo + (b + 0.5) * (nm->hi - nm->lo) / nm->bins;
		json_array_append_new(a, json_pack("[ff]", level, nm->sigma[b]));
	}
	return a;
}

static json_t *json_noise(const struct dsr_measure_ctx *c)
{
	double sd = sqrt(c->sigma_live * c->sigma_live +
			 c->lut_slope * c->lut_slope * c->sigma_ref * c->sigma_ref);

	return json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "method", NOISE_METHOD,
			 "sigma_live", c->sigma_live, "sigma_reference", c->sigma_ref, "lut_slope",
			 c->lut_slope, "lut_offset", c->lut_offset, "sigma_difference", sd,
			 "live_by_level", json_curve(c->noise_live), "reference_by_level",
			 json_curve(c->noise_ref));
}

static json_t *json_measurement(const struct dsr_measurement *m, double alpha)
{
	json_t *j = json_object();

	json_object_set_new(j, "pixels", json_integer((json_int_t)m->pixels));
	json_object_set_new(j, "pixels_region", json_integer((json_int_t)m->pixels_full));
	json_object_set_new(j, "clipped", json_boolean(m->clipped));
	json_object_set_new(j, "change", num(m->change));
	json_object_set_new(j, "change_pct", num(m->change_pct));
	json_object_set_new(j, "baseline", num(m->baseline));
	json_object_set_new(j, "se", num(m->se));
	json_object_set_new(j, "se_pct", num(m->se_pct));
	json_object_set_new(j, "z", num(m->z));
	json_object_set_new(j, "p", num(m->p));
	json_object_set_new(j, "alpha", json_real(alpha));
	json_object_set_new(j, "significant", json_boolean(m->significant));
	json_object_set_new(j, "direction",
			    json_string(!m->significant ? "none" : m->change > 0 ? "gain" : "loss"));
	return j;
}

/* One line for the montage and stdout. */
static void describe(char *buf, size_t size, const char *name, const struct dsr_measurement *m,
		     const char *refused)
{
	if (refused)
		snprintf(buf, size, "%s: %s\n", name, refused);
	else
		snprintf(buf, size, "%s: %+.1f +- %.1f (%+.2f %% +- %.2f %%) p %.2g %s\n", name,
			 m->change, m->se, m->change_pct, m->se_pct, m->p,
			 m->significant ? (m->change > 0 ? "GAIN" : "LOSS") : "no change");
}

/* The montage's short line for region @i: label or R<i>, change, its SE, %, p. */
static void caption_line(char *buf, size_t size, size_t i, const char *label,
			 const struct dsr_measurement *m, int refused)
{
	char name[24], p[16];

	if (label && *label && !strchr(label, ','))
		snprintf(name, sizeof(name), "%.20s", label);
	else
		snprintf(name, sizeof(name), "R%zu", i + 1);
	if (refused) {
		snprintf(buf, size, "%s REFUSED: TOO LITTLE IN FIELD\n", name);
		return;
	}
	if (m->p < 0.001)
		snprintf(p, sizeof(p), "P<0.001");
	else
		snprintf(p, sizeof(p), "P=%.3f", m->p);
	snprintf(buf, size, "%s %+.1f+-%.1f %+.2f%% %s %s\n", name, m->change, m->se,
		 m->change_pct, p, m->significant ? (m->change > 0 ? "GAIN" : "LOSS") : "NO CHANGE");
}

static void append(char *dst, size_t size, const char *s)
{
	size_t l = strlen(dst);

	if (l < size)
		snprintf(dst + l, size - l, "%s", s);
}

/* Every region of @mo into "measurements". */
static void measure_regions(const struct measure_opts *mo, const struct dsr_measure_ctx *c,
			    json_t *j, struct measure_result *out)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < mo->n; i++) {
		struct dsr_measurement m;
		const struct dsr_region *r = &mo->regions[i];
		const char *name = r->label[0] ? r->label : mo->specs[i];
		int rc = dsr_measure_region(c, r, &m);
		json_t *e = rc == 0 ? json_measurement(&m, c->alpha) : json_object();
		char line[256];

		json_object_set_new(e, "region", json_string(mo->specs[i]));
		if (r->label[0])
			json_object_set_new(e, "label", json_string(r->label));
		if (rc < 0) {
			json_object_set_new(e, "refused", json_string(dsr_error()));
			json_object_set_new(e, "pixels", json_integer((json_int_t)m.pixels));
			json_object_set_new(e, "pixels_region", json_integer((json_int_t)m.pixels_full));
		}
		describe(line, sizeof(line), name, &m, rc < 0 ? dsr_error() : NULL);
		append(out->text, sizeof(out->text), line);
		if (!out->caption[0])
			append(out->caption, sizeof(out->caption), "CHANGE +-SE  % OF BASELINE  P:\n");
		caption_line(line, sizeof(line), i, r->label, &m, rc < 0);
		append(out->caption, sizeof(out->caption), line);
		json_array_append_new(arr, e);
	}
	json_object_set_new(j, "measurements", arr);
}

static int write_overlay(const struct measure_opts *mo, const struct dsr_measure_ctx *c,
			 const char *png, json_t *j, struct measure_result *out)
{
	struct dsr_overlay_info info;

	if (dsr_overlay_make(c, mo->k, &out->rgb, &info) < 0)
		return -1;
	out->w = c->live->width;
	out->h = c->live->height;
	if (dsr_rgb_save_png(out->rgb, out->w, out->h, png) < 0)
		return -1;
	json_object_set_new(j, "overlay", json_pack("{s:s, s:s, s:f, s:i, s:f, s:i, s:i, s:i}",
		"png", png, "convention", "gain green, loss red, on the follow-up; out of field dimmed",
		"k", mo->k, "box", (json_int_t)DSR_OVERLAY_BOX, "threshold", info.threshold,
		"gain_pixels", (json_int_t)info.gain_pixels, "loss_pixels",
		(json_int_t)info.loss_pixels, "out_of_field_pixels", (json_int_t)info.invalid_pixels));
	return 0;
}

int measure_pair(const struct measure_opts *mo, const struct dsr_image *ref,
		 const struct dsr_image *live, const struct dsr_params *params,
		 const struct dsr_contrast_info *contrast, const struct dsr_image *diff,
		 const char *overlay_png, json_t *j, struct measure_result *out)
{
	struct dsr_measure_ctx c;
	struct frame_noise fn;
	uint8_t *valid;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!mo->n && !mo->overlay)
		return 0;
	if (make_ctx(ref, live, params, contrast, diff, mo->alpha, &c, &valid, &fn) < 0)
		return -1;
	json_object_set_new(j, "noise", json_noise(&c));
	measure_regions(mo, &c, j, out);
	if (mo->overlay)
		rc = write_overlay(mo, &c, overlay_png, j, out);
	free(valid);
	return rc;
}

/* A measurement entry of a report back into the fields caption_line() uses. */
static void from_json(json_t *e, struct dsr_measurement *m)
{
	memset(m, 0, sizeof(*m));
	m->change = json_number_value(json_object_get(e, "change"));
	m->se = json_number_value(json_object_get(e, "se"));
	m->change_pct = json_number_value(json_object_get(e, "change_pct"));
	m->p = json_number_value(json_object_get(e, "p"));
	m->significant = json_is_true(json_object_get(e, "significant"));
}

/* "\n<head><line>" onto @buf: each line starts on its own row, nothing trails. */
static void add_line(char *buf, size_t size, const char *head, char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (buf[0])
		append(buf, size, "\n");
	append(buf, size, head);
	append(buf, size, line);
}

void measure_caption_json(json_t *member, size_t k, char *buf, size_t size)
{
	json_t *ms = json_object_get(member, "measurements"), *les = json_object_get(member, "lesion");
	char line[192], head[32];
	struct dsr_measurement m;

	snprintf(head, sizeof(head), "FOLLOW-UP %zu: ", k + 1);
	for (size_t i = 0; i < json_array_size(ms); i++) {
		json_t *e = json_array_get(ms, i);
		from_json(e, &m);
		caption_line(line, sizeof(line), i, json_string_value(json_object_get(e, "label")), &m,
			     json_object_get(e, "refused") != NULL);
		add_line(buf, size, head, line);
	}
	if (les && !json_object_get(les, "refused")) {
		from_json(les, &m);
		caption_line(line, sizeof(line), 0, "LESION", &m, 0);
		line[strcspn(line, "\n")] = '\0';
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, " CNR %.1f",
			 json_number_value(json_object_get(les, "cnr")));
		add_line(buf, size, head, line);
	}
}

void measure_result_free(struct measure_result *r)
{
	free(r->rgb);
	r->rgb = NULL;
}

/* Mean and standard deviation of @im over @mask (n pixels). */
static void masked_stats(const struct dsr_image *im, const uint8_t *mask, size_t n, double *mean,
			 double *sd)
{
	double s = 0, s2 = 0;

	for (size_t i = 0; i < (size_t)im->width * im->height; i++) {
		if (!mask[i])
			continue;
		s += im->pixels[i];
		s2 += (double)im->pixels[i] * im->pixels[i];
	}
	*mean = s / n;
	*sd = sqrt(fmax(s2 / n - *mean * *mean, 0));
}

/* The ring 2r..4r around (x, y), clipped to the field: its mean and SD, or -1. */
static int lesion_ring(const struct dsr_measure_ctx *c, double x, double y, double r,
		       double *mean, double *sd)
{
	uint32_t w = c->live->width, h = c->live->height;
	struct dsr_region outer = { .kind = DSR_REGION_CIRCLE, .cx = x, .cy = y, .r = 4 * r };
	struct dsr_region inner = { .kind = DSR_REGION_CIRCLE, .cx = x, .cy = y, .r = 2 * r * (1 - 1e-9) };
	uint8_t *mo = malloc((size_t)w * h), *mi = malloc((size_t)w * h);
	size_t full_o, full_i, n = 0;

	if (!mo || !mi) {
		free(mo);
		free(mi);
		return dsr_seterr("out of memory");
	}
	dsr_region_mask(&outer, w, h, c->valid, mo, &full_o);
	dsr_region_mask(&inner, w, h, NULL, mi, &full_i);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		mo[i] = mo[i] && !mi[i];
		n += mo[i];
	}
	size_t full = full_o > full_i ? full_o - full_i : 0;
	int rc = 0;
	if (n < DSR_REGION_MIN_PIXELS || (double)n < DSR_REGION_MIN_FRACTION * (double)full)
		rc = dsr_seterr("the background ring keeps %zu of its %zu pixels in the field", n, full);
	else
		masked_stats(c->difference, mo, n, mean, sd);
	free(mo);
	free(mi);
	return rc;
}

double measure_lesion(const double lesion[3], const struct dsr_affine *a,
		      const struct dsr_image *ref, const struct dsr_image *live,
		      const struct dsr_params *params, const struct dsr_contrast_info *contrast,
		      const struct dsr_image *diff, json_t *j)
{
	struct dsr_measure_ctx c;
	struct dsr_measurement m;
	struct frame_noise fn;
	uint8_t *valid = NULL;
	double x = NAN, y = NAN, ring = 0, sd = 0, cnr = -1;
	json_t *e = json_pack("{s:[fff]}", "reference_xyr", lesion[0], lesion[1], lesion[2]);

	memset(&m, 0, sizeof(m));
	if (affine_invert_point(a, lesion[0], lesion[1], &x, &y) < 0) {
		json_object_set_new(e, "refused", json_string("the transform is singular"));
		goto out;
	}
	json_object_set_new(e, "live_xy", json_pack("[ff]", x, y));
	struct dsr_region r = { .kind = DSR_REGION_CIRCLE, .cx = x, .cy = y, .r = lesion[2] };
	if (make_ctx(ref, live, params, contrast, diff, 0.05, &c, &valid, &fn) < 0 ||
	    dsr_measure_region(&c, &r, &m) < 0 || lesion_ring(&c, x, y, lesion[2], &ring, &sd) < 0) {
		json_object_set_new(e, "refused", json_string(dsr_error()));
		goto out;
	}
	double inside = c.midgrey + m.change * c.gain;
	cnr = sd > 0 ? fabs(inside - ring) / sd : -1;
	json_t *mj = json_measurement(&m, c.alpha);
	json_object_update(e, mj);
	json_decref(mj);
	json_object_set_new(e, "mean_inside", json_real(inside));
	json_object_set_new(e, "mean_ring", json_real(ring));
	json_object_set_new(e, "sd_ring", json_real(sd));
	json_object_set_new(e, "cnr", cnr >= 0 ? json_real(cnr) : json_null());
out:
	free(valid);
	json_object_set_new(j, "lesion", e);
	return cnr;
}

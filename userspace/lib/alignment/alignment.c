/*
 * alignment.c - the parameter file (see alignment.h for the format): a strict reader
 * for untrusted JSON and a canonical, atomic writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsr/alignment.h"
#include "dsr/error.h"

/* A parameter file is a few hundred kilobytes at most (a 16-bit LUT); anything much
 * larger is not one, and is refused before it is parsed into memory. */
#define ALIGNMENT_MAX_FILE	(16u << 20)

static const char *const mode_names[DSR_MODE_MAX + 1] = {
	[DSR_MODE_PASS] = "pass",
	[DSR_MODE_CAPTURE] = "capture",
	[DSR_MODE_SUBTRACT] = "subtract",
	[DSR_MODE_WARP] = "warp",
};

static const char *const lut_kinds[] = { "identity", "histogram", "linear" };

/* The keys of the format, which extra keys may not redefine. */
static const char *const format_keys[] = { "affine", "registers", "quality", "lut",
					   "homography" };

const char *dsr_mode_name(uint32_t mode)
{
	return mode <= DSR_MODE_MAX ? mode_names[mode] : NULL;
}

void dsr_alignment_init(struct dsr_alignment *al)
{
	static const struct dsr_affine identity = { 1, 0, 0, 0, 1, 0 };

	memset(al, 0, sizeof(*al));
	al->affine = identity;
	dsr_homography_from_affine(&identity, &al->homography);
	dsr_params_default(&al->params, 0, 0, 0);
	snprintf(al->lut_kind, sizeof(al->lut_kind), "identity");
	al->quality = NAN;
}

void dsr_alignment_free(struct dsr_alignment *al)
{
	free(al->lut);
	json_decref(al->extra);
	dsr_alignment_init(al);
}

/* ---- reading ------------------------------------------------------------------- */

/* The reader's state: the file name for messages. */
struct reader {
	const char *path;
};

/* Fail with the file and the key in the message. */
static int bad(const struct reader *r, const char *key, const char *what)
{
	return dsr_seterr("%s: \"%s\": %s", r->path, key, what);
}

/* An integer member in [lo, hi]. */
static int get_int(const struct reader *r, json_t *obj, const char *obj_name, const char *key,
		   long long lo, long long hi, long long *out)
{
	json_t *v = json_object_get(obj, key);
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", obj_name, key);
	if (!v)
		return bad(r, name, "missing");
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		dsr_seterr("%s: \"%s\": must be an integer in [%lld, %lld]", r->path, name, lo, hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* "mode": a name, or (as other tools wrote it) the DSR_MODE_* number. */
static int get_mode(const struct reader *r, json_t *regs, uint32_t *mode)
{
	json_t *v = json_object_get(regs, "mode");
	long long n;

	if (json_is_string(v)) {
		for (uint32_t m = 0; m <= DSR_MODE_MAX; m++)
			if (!strcmp(json_string_value(v), mode_names[m])) {
				*mode = m;
				return 0;
			}
		return bad(r, "registers.mode", "must be \"pass\", \"capture\", \"subtract\" or \"warp\"");
	}
	if (get_int(r, regs, "registers", "mode", 0, DSR_MODE_MAX, &n))
		return -1;
	*mode = (uint32_t)n;
	return 0;
}

/* "registers": every field present, typed and in its register's range, and the whole
 * set acceptable to the board (dsr_params_check). */
static int read_registers(const struct reader *r, json_t *regs, struct dsr_params *p)
{
	static const char *const ukeys[] = { "width", "height", "pixel_bits", "gain", "midgrey" };
	static const char *const skeys[] = { "a11", "a12", "a21", "a22", "tx", "ty" };
	uint32_t *ufields[] = { &p->width, &p->height, &p->pixel_bits, &p->gain, &p->midgrey };
	int32_t *sfields[] = { &p->a11, &p->a12, &p->a21, &p->a22, &p->tx, &p->ty };
	const char *why;
	long long v;

	if (!json_is_object(regs))
		return bad(r, "registers", "must be an object");
	if (get_mode(r, regs, &p->mode))
		return -1;
	for (size_t i = 0; i < 5; i++) {
		if (get_int(r, regs, "registers", ukeys[i], 0, UINT32_MAX, &v))
			return -1;
		*ufields[i] = (uint32_t)v;
	}
	for (size_t i = 0; i < 6; i++) {
		if (get_int(r, regs, "registers", skeys[i], INT32_MIN, INT32_MAX, &v))
			return -1;
		*sfields[i] = (int32_t)v;
	}
	p->h31 = p->h32 = 0;	/* optional: an affine board's file has none */
	if (json_object_get(regs, "h31") &&
	    get_int(r, regs, "registers", "h31", -DSR_H_PERSP_MAX, DSR_H_PERSP_MAX, &v) == 0)
		p->h31 = (int32_t)v;
	else if (json_object_get(regs, "h31"))
		return -1;
	if (json_object_get(regs, "h32") &&
	    get_int(r, regs, "registers", "h32", -DSR_H_PERSP_MAX, DSR_H_PERSP_MAX, &v) == 0)
		p->h32 = (int32_t)v;
	else if (json_object_get(regs, "h32"))
		return -1;
	if (dsr_params_check(p, 0, 0, &why))
		return dsr_seterr("%s: \"registers\": %s", r->path, why);
	return 0;
}

/* "affine": six finite numbers. */
static int read_affine(const struct reader *r, json_t *arr, struct dsr_affine *a)
{
	double *v[6] = { &a->a11, &a->a12, &a->tx, &a->a21, &a->a22, &a->ty };

	if (!json_is_array(arr) || json_array_size(arr) != 6)
		return bad(r, "affine", "must be an array of 6 numbers [a11, a12, tx, a21, a22, ty]");
	for (size_t i = 0; i < 6; i++) {
		json_t *e = json_array_get(arr, i);

		if (!json_is_number(e) || !isfinite(json_number_value(e)))
			return bad(r, "affine", "every element must be a finite number");
		*v[i] = json_number_value(e);
	}
	return 0;
}

/* "homography": nine finite numbers, h33 not zero; normalised to h33 = 1. */
static int read_homography(const struct reader *r, json_t *arr, struct dsr_homography *h)
{
	if (!json_is_array(arr) || json_array_size(arr) != 9)
		return bad(r, "homography", "must be an array of 9 numbers [h11, h12, h13, h21, "
			   "h22, h23, h31, h32, h33]");
	for (size_t i = 0; i < 9; i++) {
		json_t *e = json_array_get(arr, i);

		if (!json_is_number(e) || !isfinite(json_number_value(e)))
			return bad(r, "homography", "every element must be a finite number");
		h->h[i] = json_number_value(e);
	}
	if (!(fabs(h->h[8]) > 1e-12))
		return bad(r, "homography", "h33 must not be zero");
	double d = h->h[8];

	for (int i = 0; i < 9; i++)
		h->h[i] /= d;
	return 0;
}

/* The perspective registers against the float homography, within half a step. */
static int persp_matches(const struct reader *r, const struct dsr_homography *h,
			 const struct dsr_params *p)
{
	double step = ldexp(0.5, -DSR_H_FRAC_BITS) * (1 + 1e-9);
	double q[2] = { ldexp(p->h31, -DSR_H_FRAC_BITS), ldexp(p->h32, -DSR_H_FRAC_BITS) };

	for (int i = 0; i < 2; i++)
		if (fabs(h->h[6 + i] - q[i]) > step + 1e-15 * fabs(q[i]))
			return dsr_seterr("%s: \"homography\" h3%d = %.10g disagrees with "
					  "\"registers\" (%.10g) by more than the quantisation bound",
					  r->path, i + 1, h->h[6 + i], q[i]);
	return 0;
}

/* Do the float transform and the registers describe the same thing, up to rounding to
 * the nearest register step? */
static int affine_matches(const struct reader *r, const struct dsr_affine *a,
			  const struct dsr_params *p)
{
	static const char *const names[6] = { "a11", "a12", "tx", "a21", "a22", "ty" };
	struct dsr_affine q;
	const double *fa = &a->a11, *fq = &q.a11;
	/* half a step, with room for the float's own last bit */
	double step_a = ldexp(0.5, -DSR_A_FRAC_BITS) * (1 + 1e-9);
	double step_t = ldexp(0.5, -DSR_T_FRAC_BITS) * (1 + 1e-9);

	dsr_params_get_affine(p, &q);
	for (size_t i = 0; i < 6; i++) {
		double bound = (i == 2 || i == 5) ? step_t : step_a;

		if (fabs(fa[i] - fq[i]) > bound + 1e-15 * fabs(fa[i]))
			return dsr_seterr("%s: \"affine\" %s = %.10g disagrees with \"registers\" "
					  "(%.10g) by more than the quantisation bound", r->path,
					  names[i], fa[i], fq[i]);
	}
	return 0;
}

/* The LUT entries: 2^pixel_bits of them (or DSR_LUT_SIZE), each a 16-bit value;
 * expanded to DSR_LUT_SIZE by repeating over the index bits the board masks off. With
 * the depth unknown (no registers) the count must be a power of two 2^12..2^16 and sets
 * the depth. */
static int read_entries(const struct reader *r, json_t *t, const char *name,
			struct dsr_params *p, uint16_t **lut)
{
	size_t n = json_array_size(t);
	char msg[128];

	if (!json_is_array(t))
		return bad(r, name, "must be an array of integers");
	if (p->pixel_bits) {
		if (n != (size_t)1 << p->pixel_bits && n != DSR_LUT_SIZE) {
			snprintf(msg, sizeof(msg), "must have %zu entries (2^pixel_bits) or %u",
				 (size_t)1 << p->pixel_bits, DSR_LUT_SIZE);
			return bad(r, name, msg);
		}
	} else {
		for (uint32_t b = DSR_PIXEL_BITS_MIN; b < DSR_PIXEL_BITS_MAX && !p->pixel_bits; b++)
			if (n == (size_t)1 << b)
				p->pixel_bits = b;
		if (!p->pixel_bits && n != DSR_LUT_SIZE)
			return bad(r, name, "must have 2^pixel_bits entries (4096 .. 65536)");
	}
	*lut = malloc(DSR_LUT_SIZE * sizeof(**lut));
	if (!*lut)
		return dsr_seterr("%s: out of memory", r->path);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(t, i);

		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) > 0xffff) {
			snprintf(msg, sizeof(msg), "entry %zu must be an integer in [0, 65535]", i);
			return bad(r, name, msg);
		}
		(*lut)[i] = (uint16_t)json_integer_value(e);
	}
	for (size_t i = n; i < DSR_LUT_SIZE; i++)
		(*lut)[i] = (*lut)[i % n];
	return 0;
}

/* "lut" {"kind", "entries"} (or the older "method" and top-level "lut_table"). A
 * missing LUT, or kind "identity" without entries, is the identity (NULL). */
static int read_lut(const struct reader *r, json_t *root, struct dsr_alignment *al)
{
	json_t *lut = json_object_get(root, "lut");
	json_t *kind = NULL, *entries = NULL;
	const char *entries_name = "lut.entries";
	size_t k;

	if (lut && !json_is_object(lut))
		return bad(r, "lut", "must be an object {\"kind\": ..., \"entries\": [...]}");
	if (lut) {
		kind = json_object_get(lut, "kind");
		if (!kind)
			kind = json_object_get(lut, "method");
		entries = json_object_get(lut, "entries");
	}
	if (!entries && json_object_get(root, "lut_table")) {
		entries = json_object_get(root, "lut_table");
		entries_name = "lut_table";
	}
	if (kind) {
		if (!json_is_string(kind))
			return bad(r, "lut.kind", "must be \"identity\", \"histogram\" or \"linear\"");
		for (k = 0; k < sizeof(lut_kinds) / sizeof(lut_kinds[0]); k++)
			if (!strcmp(json_string_value(kind), lut_kinds[k]))
				break;
		if (k == sizeof(lut_kinds) / sizeof(lut_kinds[0]))
			return bad(r, "lut.kind", "must be \"identity\", \"histogram\" or \"linear\"");
		snprintf(al->lut_kind, sizeof(al->lut_kind), "%s", lut_kinds[k]);
	}
	if (!entries) {
		if (kind && strcmp(al->lut_kind, "identity"))
			return bad(r, "lut.entries", "missing (only an identity LUT may omit them)");
		return 0;
	}
	if (!kind)
		return bad(r, "lut.kind", "missing");
	return read_entries(r, entries, entries_name, &al->params, &al->lut);
}

/* "quality": a correlation coefficient. */
static int read_quality(const struct reader *r, json_t *q, double *out)
{
	if (!q || json_is_null(q))
		return 0;
	if (!json_is_number(q) || !(fabs(json_number_value(q)) <= 1))
		return bad(r, "quality", "must be a number in [-1, 1]");
	*out = json_number_value(q);
	return 0;
}

/* The keys this format does not define, kept for writing back. */
static int keep_extra(json_t *root, struct dsr_alignment *al)
{
	const char *key;
	json_t *value;

	json_object_foreach(root, key, value) {
		int known = !strcmp(key, "lut_table");

		for (size_t i = 0; i < sizeof(format_keys) / sizeof(format_keys[0]); i++)
			known |= !strcmp(key, format_keys[i]);
		if (known)
			continue;
		if (!al->extra && !(al->extra = json_object()))
			return dsr_seterr("out of memory");
		if (json_object_set(al->extra, key, value))
			return dsr_seterr("out of memory");
	}
	return 0;
}

/* The parsed document into @al, in the order that lets each part check the others. */
static int read_root(const struct reader *r, json_t *root, struct dsr_alignment *al)
{
	json_t *affine = json_object_get(root, "affine");
	json_t *homog = json_object_get(root, "homography");
	json_t *regs = json_object_get(root, "registers");

	if (!json_is_object(root))
		return dsr_seterr("%s: not a JSON object", r->path);
	if (!affine && !homog && !regs)
		return dsr_seterr("%s: needs \"affine\", \"homography\" or \"registers\"", r->path);
	if (affine && homog)
		return dsr_seterr("%s: \"affine\" and \"homography\" both given: one transform only",
				  r->path);
	if (affine && read_affine(r, affine, &al->affine))
		return -1;
	if (homog) {
		if (read_homography(r, homog, &al->homography))
			return -1;
		al->affine = (struct dsr_affine){ al->homography.h[0], al->homography.h[1],
						  al->homography.h[2], al->homography.h[3],
						  al->homography.h[4], al->homography.h[5] };
		affine = homog;
	}
	if (regs) {
		if (read_registers(r, regs, &al->params))
			return -1;
		if (affine && (affine_matches(r, &al->affine, &al->params) ||
			       (homog && persp_matches(r, &al->homography, &al->params))))
			return -1;
		if (!affine)
			dsr_params_get_affine(&al->params, &al->affine);
		if (!homog)
			dsr_params_get_homography(&al->params, &al->homography);
	} else {
		int rc;

		/* frame unknown until dsr_alignment_for_frame(); midgrey then too */
		al->params.width = al->params.height = al->params.pixel_bits = 0;
		al->params.midgrey = 0;
		if (homog) {
			rc = dsr_params_set_homography(&al->params, &al->homography);
		} else {
			rc = dsr_params_set_affine(&al->params, &al->affine);
			dsr_homography_from_affine(&al->affine, &al->homography);
		}
		if (rc) {
			char why[256];	/* dsr_error()'s buffer is about to be rewritten */

			snprintf(why, sizeof(why), "%s", dsr_error());
			return dsr_seterr("%s: %s", r->path, why);
		}
	}
	al->projective = homog != NULL || dsr_params_projective(&al->params);
	if (read_quality(r, json_object_get(root, "quality"), &al->quality) ||
	    read_lut(r, root, al))
		return -1;
	return keep_extra(root, al);
}

int dsr_alignment_load(const char *path, struct dsr_alignment *al)
{
	struct reader r = { .path = path };
	json_error_t jerr;
	struct stat st;
	json_t *root;
	int rc;

	dsr_alignment_init(al);
	if (stat(path, &st))
		return dsr_seterr("%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode) && st.st_size > ALIGNMENT_MAX_FILE)
		return dsr_seterr("%s: %lld bytes is too large for a parameter file", path,
				  (long long)st.st_size);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return dsr_seterr("%s: line %d, column %d: %s", path, jerr.line, jerr.column,
				  jerr.text);
	rc = read_root(&r, root, al);
	json_decref(root);
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", dsr_error());
		dsr_alignment_free(al);
		dsr_seterr("%s", msg);
	}
	return rc;
}

int dsr_alignment_for_frame(struct dsr_alignment *al, uint32_t width, uint32_t height,
			    uint32_t pixel_bits)
{
	struct dsr_params *p = &al->params;
	const char *why;

	if (p->width == 0) {
		if (p->pixel_bits && p->pixel_bits != pixel_bits)
			return dsr_seterr("the LUT is for %u-bit pixels, the frames have %u",
					  p->pixel_bits, pixel_bits);
		p->width = width;
		p->height = height;
		p->pixel_bits = pixel_bits;
		p->midgrey = pixel_bits >= 1 && pixel_bits <= 16 ? 1u << (pixel_bits - 1) : 0;
	} else if (p->width != width || p->height != height) {
		return dsr_seterr("the parameters are for %ux%u frames, the images are %ux%u",
				  p->width, p->height, width, height);
	} else if (p->pixel_bits != pixel_bits) {
		return dsr_seterr("the parameters are for %u-bit pixels, the images have %u",
				  p->pixel_bits, pixel_bits);
	}
	if (dsr_params_check(p, 0, 0, &why))
		return dsr_seterr("parameters: %s", why);
	return 0;
}

/* ---- writing ------------------------------------------------------------------- */

/* The "registers" object. */
static json_t *registers_json(const struct dsr_params *p)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "mode", dsr_mode_name(p->mode), "width", (json_int_t)p->width,
			      "height", (json_int_t)p->height, "pixel_bits", (json_int_t)p->pixel_bits,
			      "a11", (json_int_t)p->a11, "a12", (json_int_t)p->a12,
			      "a21", (json_int_t)p->a21, "a22", (json_int_t)p->a22,
			      "tx", (json_int_t)p->tx, "ty", (json_int_t)p->ty,
			      "gain", (json_int_t)p->gain, "midgrey", (json_int_t)p->midgrey);

	/* the perspective registers only where they are used: affine files stay as before */
	if (j && dsr_params_projective(p) &&
	    (json_object_set_new(j, "h31", json_integer(p->h31)) ||
	     json_object_set_new(j, "h32", json_integer(p->h32)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The "lut" object with its 2^pixel_bits entries (the identity's when al->lut is NULL). */
static json_t *lut_json(const struct dsr_alignment *al)
{
	size_t n = (size_t)1 << al->params.pixel_bits;
	json_t *entries = json_array();

	for (size_t i = 0; entries && i < n; i++)
		if (json_array_append_new(entries, json_integer(al->lut ? al->lut[i] : (json_int_t)i))) {
			json_decref(entries);
			return NULL;
		}
	return entries ? json_pack("{s:s, s:o}", "kind", al->lut ? al->lut_kind : "identity",
				   "entries", entries) : NULL;
}

/* A real in the fewest significant digits (15..17) that read back as the same double,
 * so 13.25 is written as 13.25 and every value still round-trips exactly. */
static char *dump_real(const json_t *value)
{
	for (int prec = 15; prec <= 17; prec++) {
		char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_REAL_PRECISION(prec));

		if (!text || prec == 17 || strtod(text, NULL) == json_real_value(value))
			return text;
		free(text);
	}
	return NULL;
}

/* A value as compact JSON; reals, and arrays of them (the affine), in their shortest
 * exact form. */
static char *dump_value(const json_t *value)
{
	size_t n = json_array_size(value), len = 3, i;
	char *parts[8], *out;

	if (json_is_real(value))
		return dump_real(value);
	for (i = 0; json_is_array(value) && n <= 8 && i < n; i++)
		if (!json_is_real(json_array_get(value, i)))
			break;
	if (!json_is_array(value) || n > 8 || i < n)
		return json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER |
					 JSON_REAL_PRECISION(17));
	for (i = 0; i < n; i++) {
		parts[i] = dump_real(json_array_get(value, i));
		len += parts[i] ? strlen(parts[i]) + 2 : 0;
	}
	out = malloc(len);
	for (i = 0; out && i < n; i++) {
		if (!parts[i]) {
			free(out);
			out = NULL;
			break;
		}
	}
	if (out) {
		strcpy(out, "[");
		for (i = 0; i < n; i++)
			strcat(strcat(out, i ? ", " : ""), parts[i]);
		strcat(out, "]");
	}
	for (i = 0; i < n; i++)
		free(parts[i]);
	return out;
}

/* One "key": value line, the value compact (the LUT is one long line). */
static int write_member(FILE *f, const char *key, const json_t *value, int last)
{
	json_t *jk = json_string(key);
	char *k = jk ? json_dumps(jk, JSON_ENCODE_ANY) : NULL;
	char *v = dump_value(value);
	int rc = k && v && fprintf(f, "  %s: %s%s\n", k, v, last ? "" : ",") > 0 ? 0 : -1;

	json_decref(jk);
	free(k);
	free(v);
	return rc;
}

/* Whether @key is one of the format's own. */
static int is_format_key(const char *key)
{
	for (size_t i = 0; i < sizeof(format_keys) / sizeof(format_keys[0]); i++)
		if (!strcmp(key, format_keys[i]))
			return 1;
	return !strcmp(key, "lut_table");
}

/* Add the keys of @src (may be NULL) to @doc, refusing the format's own. */
static int add_extra(json_t *doc, const json_t *src, const char *path)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)src, key, value) {
		if (is_format_key(key))
			return dsr_seterr("%s: extra key \"%s\" would redefine a key of the format",
					  path, key);
		if (json_object_set(doc, key, value))
			return dsr_seterr("%s: out of memory", path);
	}
	return 0;
}

/* The whole document, members in the order they are written. */
static int build_document(const struct dsr_alignment *al, const json_t *extra,
			  const char *path, json_t **out)
{
	json_t *doc = json_object();
	int ok = doc != NULL;

	if (al->projective) {
		const double *h = al->homography.h;

		ok = ok && !json_object_set_new(doc, "homography",
						json_pack("[fffffffff]", h[0], h[1], h[2], h[3],
							  h[4], h[5], h[6], h[7], h[8]));
	} else {
		ok = ok && !json_object_set_new(doc, "affine",
						json_pack("[ffffff]", al->affine.a11,
							  al->affine.a12, al->affine.tx,
							  al->affine.a21, al->affine.a22,
							  al->affine.ty));
	}
	ok = ok && !json_object_set_new(doc, "registers", registers_json(&al->params));
	if (isfinite(al->quality))
		ok = ok && !json_object_set_new(doc, "quality", json_real(al->quality));
	ok = ok && !json_object_set_new(doc, "lut", lut_json(al));
	if (!ok) {
		json_decref(doc);
		return dsr_seterr("%s: out of memory", path);
	}
	if (add_extra(doc, al->extra, path) || add_extra(doc, extra, path)) {
		json_decref(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

/* A new file next to @path, opened O_EXCL (mode 0666 less the umask). */
static int open_temp(const char *path, char *tmp, size_t size)
{
	for (unsigned n = 0; n < 100; n++) {
		int fd;

		if ((size_t)snprintf(tmp, size, "%s.tmp%ld.%u", path, (long)getpid(), n) >= size)
			return dsr_seterr("%s: path too long", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : dsr_seterr("%s: cannot create a temporary file: %s",
							 path, strerror(errno));
	}
	return dsr_seterr("%s: cannot create a temporary file (names in use)", path);
}

/* The document's members one per line, into an open stream. */
static int write_document(FILE *f, json_t *doc)
{
	size_t i = 0, n = json_object_size(doc);
	const char *key;
	json_t *value;

	if (fputs("{\n", f) == EOF)
		return -1;
	json_object_foreach(doc, key, value)
		if (write_member(f, key, value, ++i == n))
			return -1;
	return fputs("}\n", f) == EOF ? -1 : 0;
}

int dsr_alignment_save(const struct dsr_alignment *al, const char *path, const json_t *extra)
{
	char tmp[4096];
	const char *why;
	json_t *doc = NULL;
	FILE *f;
	int fd, rc;

	if (dsr_params_check(&al->params, 0, 0, &why))
		return dsr_seterr("%s: cannot save: registers: %s", path, why);
	if (extra && !json_is_object(extra))
		return dsr_seterr("%s: extra keys must be a JSON object", path);
	if (build_document(al, extra, path, &doc))
		return -1;
	fd = open_temp(path, tmp, sizeof(tmp));
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		json_decref(doc);
		return -1;
	}
	rc = write_document(f, doc);
	json_decref(doc);
	if (fflush(f) || fsync(fileno(f)))
		rc = -1;
	if (fclose(f))
		rc = -1;
	if (rc == 0 && rename(tmp, path))
		rc = -1;
	if (rc) {
		int e = errno;

		unlink(tmp);
		return dsr_seterr("%s: write failed: %s", path, strerror(e));
	}
	return 0;
}

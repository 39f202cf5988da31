/*
 * params.c - a parameter set as the board's registers hold it: defaults, the range
 * check the board applies at commit, and the quantisation of a float transform into
 * the fixed-point registers (and back).
 */
#include <math.h>

#include "dsr/error.h"
#include "model_priv.h"

/* Identity warp, gain 1.0 (Q8.8), midgrey half range, subtract mode. */
void dsr_params_default(struct dsr_params *p, uint32_t width, uint32_t height,
			uint32_t pixel_bits)
{
	p->mode = DSR_MODE_SUBTRACT;
	p->width = width;
	p->height = height;
	p->pixel_bits = pixel_bits;
	p->a11 = 1 << DSR_A_FRAC_BITS;
	p->a12 = 0;
	p->a21 = 0;
	p->a22 = 1 << DSR_A_FRAC_BITS;
	p->tx = 0;
	p->ty = 0;
	p->h31 = 0;
	p->h32 = 0;
	p->gain = 1u << DSR_GAIN_FRAC_BITS;
	p->midgrey = pixel_bits >= 1 && pixel_bits <= 16 ? 1u << (pixel_bits - 1) : 0;
}

/* The limit of a frame store dimension: 0 or anything beyond the contract means the
 * contract's own limit. */
static uint32_t store_limit(uint32_t max, uint32_t contract_max)
{
	return max == 0 || max > contract_max ? contract_max : max;
}

/* |h| within the perspective the reciprocal is built for (DSR_H_PERSP_MAX). */
static int persp_ok(int32_t h)
{
	return h >= -(int32_t)DSR_H_PERSP_MAX && h <= (int32_t)DSR_H_PERSP_MAX;
}

/*
 * What the board checks at commit (DSR_ERR_BAD_PARAMS). The affine registers take any
 * 32-bit value (every one is a valid Q8.24 / Q16.16 number), so they need no check;
 * h31 / h32 must keep the denominator within (0.8, 1.2) over a 4096 x 4096 frame.
 * @max_w / @max_h: the board's DSR_REG_MAX_WIDTH / HEIGHT; 0 = DSR_WIDTH_MAX / HEIGHT_MAX.
 */
int dsr_params_check(const struct dsr_params *p, uint32_t max_w, uint32_t max_h,
		     const char **why)
{
	const char *msg = NULL;

	max_w = store_limit(max_w, DSR_WIDTH_MAX);
	max_h = store_limit(max_h, DSR_HEIGHT_MAX);
	if (p->mode > DSR_MODE_MAX)
		msg = "mode: not a DSR_MODE_* value";
	else if (p->width < 1 || p->width > max_w)
		msg = "width: outside 1..the frame store's maximum width";
	else if (p->height < 1 || p->height > max_h)
		msg = "height: outside 1..the frame store's maximum height";
	else if (p->pixel_bits < DSR_PIXEL_BITS_MIN || p->pixel_bits > DSR_PIXEL_BITS_MAX)
		msg = "pixel_bits: outside 12..16";
	else if (p->gain > DSR_GAIN_MAX)
		msg = "gain: does not fit the 16-bit Q8.8 register";
	else if (p->midgrey > DSR_MIDGREY_MAX || p->midgrey > dsr_pixel_mask(p->pixel_bits))
		msg = "midgrey: not below 2^pixel_bits";
	else if (!persp_ok(p->h31))
		msg = "h31: perspective beyond |h31| * 4096 <= 0.1 (DSR_H_PERSP_MAX)";
	else if (!persp_ok(p->h32))
		msg = "h32: perspective beyond |h32| * 4096 <= 0.1 (DSR_H_PERSP_MAX)";
	if (why)
		*why = msg;
	return msg ? -1 : 0;
}

/* Round v * 2^frac_bits to the nearest integer if it fits a signed 32-bit register. */
static int quantise(double v, int frac_bits, const char *name, int32_t *reg)
{
	double q = ldexp(v, frac_bits);

	if (!isfinite(q))
		return dsr_seterr("transform %s: not a finite number", name);
	q = nearbyint(q);
	if (q < (double)INT32_MIN || q > (double)INT32_MAX)
		return dsr_seterr("transform %s = %g: outside the register's range [%g, %g)", name,
				  v, ldexp(-1.0, 31 - frac_bits), ldexp(1.0, 31 - frac_bits));
	*reg = (int32_t)q;
	return 0;
}

/* Matrix entries to Q8.24, translations to Q16.16, round to nearest (ties to even, the
 * default rounding mode). @p is changed only if every value fits. */
int dsr_params_set_affine(struct dsr_params *p, const struct dsr_affine *a)
{
	int32_t r[6];

	if (quantise(a->a11, DSR_A_FRAC_BITS, "a11", &r[0]) ||
	    quantise(a->a12, DSR_A_FRAC_BITS, "a12", &r[1]) ||
	    quantise(a->tx, DSR_T_FRAC_BITS, "tx", &r[2]) ||
	    quantise(a->a21, DSR_A_FRAC_BITS, "a21", &r[3]) ||
	    quantise(a->a22, DSR_A_FRAC_BITS, "a22", &r[4]) ||
	    quantise(a->ty, DSR_T_FRAC_BITS, "ty", &r[5]))
		return -1;
	p->a11 = r[0];
	p->a12 = r[1];
	p->tx = r[2];
	p->a21 = r[3];
	p->a22 = r[4];
	p->ty = r[5];
	p->h31 = 0;
	p->h32 = 0;
	return 0;
}

/* The exact transform the registers implement (every register value is exactly
 * representable as a double). */
void dsr_params_get_affine(const struct dsr_params *p, struct dsr_affine *a)
{
	a->a11 = ldexp(p->a11, -DSR_A_FRAC_BITS);
	a->a12 = ldexp(p->a12, -DSR_A_FRAC_BITS);
	a->tx = ldexp(p->tx, -DSR_T_FRAC_BITS);
	a->a21 = ldexp(p->a21, -DSR_A_FRAC_BITS);
	a->a22 = ldexp(p->a22, -DSR_A_FRAC_BITS);
	a->ty = ldexp(p->ty, -DSR_T_FRAC_BITS);
}

int dsr_params_projective(const struct dsr_params *p)
{
	return p->h31 != 0 || p->h32 != 0;
}

void dsr_homography_from_affine(const struct dsr_affine *a, struct dsr_homography *h)
{
	const double m[9] = { a->a11, a->a12, a->tx, a->a21, a->a22, a->ty, 0, 0, 1 };

	for (int i = 0; i < 9; i++)
		h->h[i] = m[i];
}

/* A perspective coefficient to within the board's range. */
static int quantise_persp(double v, const char *name, int32_t *reg)
{
	double lim = ldexp(DSR_H_PERSP_MAX, -DSR_H_FRAC_BITS);

	if (!isfinite(v))
		return dsr_seterr("homography %s: not a finite number", name);
	if (fabs(v) > lim)
		return dsr_seterr("homography %s = %.3g: perspective beyond the board's range "
				  "|%s| <= %.4g (0.1 / 4096)", name, v, name, lim);
	*reg = (int32_t)nearbyint(ldexp(v, DSR_H_FRAC_BITS));
	return 0;
}

/* Normalise by h33, quantise; @p changes only if everything fits. */
int dsr_params_set_homography(struct dsr_params *p, const struct dsr_homography *h)
{
	const double *m = h->h;
	struct dsr_affine a;
	struct dsr_params q = *p;

	if (!isfinite(m[8]) || fabs(m[8]) < 1e-12)
		return dsr_seterr("homography h33 = %g: cannot normalise by it", m[8]);
	a = (struct dsr_affine){ m[0] / m[8], m[1] / m[8], m[2] / m[8],
				 m[3] / m[8], m[4] / m[8], m[5] / m[8] };
	if (dsr_params_set_affine(&q, &a) ||
	    quantise_persp(m[6] / m[8], "h31", &q.h31) ||
	    quantise_persp(m[7] / m[8], "h32", &q.h32))
		return -1;
	*p = q;
	return 0;
}

void dsr_params_get_homography(const struct dsr_params *p, struct dsr_homography *h)
{
	struct dsr_affine a;

	dsr_params_get_affine(p, &a);
	dsr_homography_from_affine(&a, h);
	h->h[6] = ldexp(p->h31, -DSR_H_FRAC_BITS);
	h->h[7] = ldexp(p->h32, -DSR_H_FRAC_BITS);
}

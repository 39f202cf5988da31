/*
 * fft.c - FFTW plans cached per frame size, windowed phase correlation with a sub-pixel
 * peak, and the log-polar (Fourier-Mellin) rotation and scale estimate.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "dsr/error.h"
#include "register/register_priv.h"

/* Plans are expensive to make and cheap to reuse: a series of follow-ups, a bench run or
 * a test set registers many pairs of one size. The planner is not thread-safe, so the
 * cache lock also serialises planning. */
struct fft_plan {
	int w, h;
	fftwf_plan fwd, inv;
};

#define FFT_CACHE_MAX 16
static struct fft_plan fft_cache[FFT_CACHE_MAX];
static int fft_cache_n;
static pthread_mutex_t fft_lock = PTHREAD_MUTEX_INITIALIZER;

struct fft_plan *fft_plan_get(int w, int h)
{
	struct fft_plan *pl = NULL;

	pthread_mutex_lock(&fft_lock);
	for (int i = 0; i < fft_cache_n; i++)
		if (fft_cache[i].w == w && fft_cache[i].h == h)
			pl = &fft_cache[i];
	if (!pl && fft_cache_n < FFT_CACHE_MAX) {
		float *in = fftwf_malloc(sizeof(float) * (size_t)w * h);
		fftwf_complex *out = fftwf_malloc(sizeof(fftwf_complex) * (size_t)(w / 2 + 1) * h);

		if (in && out) {
			struct fft_plan *n = &fft_cache[fft_cache_n];

			n->fwd = fftwf_plan_dft_r2c_2d(h, w, in, out, FFTW_ESTIMATE);
			n->inv = fftwf_plan_dft_c2r_2d(h, w, out, in, FFTW_ESTIMATE);
			if (n->fwd && n->inv) {
				n->w = w;
				n->h = h;
				pl = n;
				fft_cache_n++;
			} else {
				if (n->fwd)
					fftwf_destroy_plan(n->fwd);
				if (n->inv)
					fftwf_destroy_plan(n->inv);
			}
		}
		fftwf_free(in);
		fftwf_free(out);
	}
	pthread_mutex_unlock(&fft_lock);
	if (!pl)
		dsr_seterr("registration: no FFTW plan for %dx%d", w, h);
	return pl;
}

void fft_forward(struct fft_plan *pl, float *in, void *out)
{
	fftwf_execute_dft_r2c(pl->fwd, in, out);
}

void fft_inverse(struct fft_plan *pl, void *in, float *out)
{
	fftwf_execute_dft_c2r(pl->inv, in, out);
}

void fft_cache_free(void)
{
	pthread_mutex_lock(&fft_lock);
	for (int i = 0; i < fft_cache_n; i++) {
		fftwf_destroy_plan(fft_cache[i].fwd);
		fftwf_destroy_plan(fft_cache[i].inv);
	}
	fft_cache_n = 0;
	fftwf_cleanup();
	pthread_mutex_unlock(&fft_lock);
}

/* Scratch buffers of one correlation. */
struct corr_buf {
	int w, h;
	struct fft_plan *pl;
	float *a, *b;
	fftwf_complex *fa, *fb;
};

static void corr_buf_free(struct corr_buf *c)
{
	fftwf_free(c->a);
	fftwf_free(c->b);
	fftwf_free(c->fa);
	fftwf_free(c->fb);
}

static int corr_buf_init(struct corr_buf *c, int w, int h)
{
	size_t nc = (size_t)(w / 2 + 1) * h;

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->h = h;
	c->pl = fft_plan_get(w, h);
	if (!c->pl)
		return -1;
	c->a = fftwf_malloc(sizeof(float) * (size_t)w * h);
	c->b = fftwf_malloc(sizeof(float) * (size_t)w * h);
	c->fa = fftwf_malloc(sizeof(fftwf_complex) * nc);
	c->fb = fftwf_malloc(sizeof(fftwf_complex) * nc);
	if (!c->a || !c->b || !c->fa || !c->fb) {
		corr_buf_free(c);
		return dsr_seterr("registration: out of memory for the FFT buffers");
	}
	return 0;
}

/* Hann window value at i of n (1 in the middle, 0 at the ends). */
static float hann(int i, int n)
{
	return n > 1 ? (float)(0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / n)) : 1.0f;
}

/* Copy @src (w x h, row-major) minus its mean into @dst, windowed in x and/or y: the
 * window keeps the frame edges out of the spectrum. */
static void load_windowed(float *dst, const float *src, int w, int h, int win_x, int win_y)
{
	double sum = 0;
	size_t n = (size_t)w * h;

	for (size_t i = 0; i < n; i++)
		sum += src[i];
	float mean = (float)(sum / (double)n);

	float wxs[w];	/* the x window once, not per row (the same values) */

	for (int x = 0; x < w; x++)
		wxs[x] = win_x ? hann(x, w) : 1.0f;
	for (int y = 0; y < h; y++) {
		float wy = win_y ? hann(y, h) : 1.0f;

		for (int x = 0; x < w; x++)
			dst[(size_t)y * w + x] = (src[(size_t)y * w + x] - mean) * wxs[x] * wy;
	}
}

/* Peak of a correlation surface near integer (px, py) refined to sub-pixel by fitting a
 * Gaussian (a parabola through the logarithms) along each axis; a parabola on the raw
 * values when a neighbour is not positive. The surface is periodic. */
static double subpixel_1d(float m, float c, float p)
{
	double d;

	if (m > 0 && c > 0 && p > 0) {
		double lm = log(m), lc = log(c), lp = log(p);

		d = lm - 2 * lc + lp;
		if (d < 0)
			return 0.5 * (lm - lp) / d;
	}
	d = (double)m - 2.0 * c + p;
	return d < 0 ? 0.5 * ((double)m - p) / d : 0.0;
}

struct peak {
	int x, y;
	double fx, fy;	/* sub-pixel, as a signed shift */
	float v;
};

/* The @max highest local maxima of surface s, each at least @sep cells (periodic
 * distance) from a higher one, refined and expressed as signed shifts. */
static int find_peaks(const float *s, int w, int h, int sep, struct peak *pk, int max)
{
	int n = 0;

	for (int k = 0; k < max; k++) {
		int bx = -1, by = -1;
		float bv = -INFINITY;

		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				float v = s[(size_t)y * w + x];
				int near = 0;

				if (v <= bv)
					continue;
				for (int j = 0; j < n && !near; j++) {
					int dx = abs(x - pk[j].x), dy = abs(y - pk[j].y);

					dx = dx < w - dx ? dx : w - dx;
					dy = dy < h - dy ? dy : h - dy;
					near = dx <= sep && dy <= sep;
				}
				if (!near) {
					bv = v;
					bx = x;
					by = y;
				}
			}
		if (bx < 0)
			break;
		int xm = (bx + w - 1) % w, xp = (bx + 1) % w;
		int ym = (by + h - 1) % h, yp = (by + 1) % h;
		double ox = w > 2 ? subpixel_1d(s[(size_t)by * w + xm], bv, s[(size_t)by * w + xp]) : 0;
		double oy = h > 2 ? subpixel_1d(s[(size_t)ym * w + bx], bv, s[(size_t)yp * w + bx]) : 0;

		pk[n].x = bx;
		pk[n].y = by;
		pk[n].v = bv;
		pk[n].fx = (bx > w / 2 ? bx - w : bx) + ox;
		pk[n].fy = (by > h / 2 ? by - h : by) + oy;
		n++;
	}
	return n;
}

/*
 * The normalised cross-power spectrum of c->a (reference) and c->b (live), loaded and
 * windowed by the caller, back in space in c->a: a peak at d where live(x) = ref(x + d).
 * A Gaussian low-pass (sigma @lp cycles per pixel, 0 = none) keeps noise-only
 * frequencies from flattening the peak and gives it a shape the sub-pixel fit models.
 */
static void cross_power(struct corr_buf *c, double lp)
{
	int w = c->w, h = c->h, wc = w / 2 + 1;
	double wsum = 0;

	fft_forward(c->pl, c->a, c->fa);
	fft_forward(c->pl, c->b, c->fb);
	for (int y = 0; y < h; y++) {
		double fy = (double)(y <= h / 2 ? y : y - h) / h;

		for (int x = 0; x < wc; x++) {
			double fx = (double)x / w;
			size_t i = (size_t)y * wc + x;
			/* q = ref * conj(live) */
			float re = c->fa[i][0] * c->fb[i][0] + c->fa[i][1] * c->fb[i][1];
			float im = c->fa[i][1] * c->fb[i][0] - c->fa[i][0] * c->fb[i][1];
			float mag = hypotf(re, im);
			double g = lp > 0 ? exp(-(fx * fx + fy * fy) / (2 * lp * lp)) : 1.0;
			float k = mag > 1e-20f ? (float)g / mag : 0.0f;

			/* the half spectrum counts columns 1..w/2-1 twice */
			wsum += g * ((x == 0 || (w % 2 == 0 && x == w / 2)) ? 1 : 2);
			c->fa[i][0] = re * k;
			c->fa[i][1] = im * k;
		}
	}
	fft_inverse(c->pl, c->fa, c->a);
	float norm = wsum > 0 ? (float)(1.0 / wsum) : 1.0f;

	for (size_t i = 0; i < (size_t)w * h; i++)
		c->a[i] *= norm;
}

int phase_correlate(const struct fimg *ref, const struct fimg *live, double *dx, double *dy,
		    double *peak)
{
	struct corr_buf c;
	struct peak pk = { 0 };

	if (ref->w != live->w || ref->h != live->h)
		return dsr_seterr("registration: phase correlation of different sizes");
	if (corr_buf_init(&c, ref->w, ref->h))
		return -1;
	load_windowed(c.a, ref->p, ref->w, ref->h, 1, 1);
	load_windowed(c.b, live->p, live->w, live->h, 1, 1);
	cross_power(&c, 0.2);
	find_peaks(c.a, c.w, c.h, 1, &pk, 1);
	*dx = pk.fx;
	*dy = pk.fy;
	if (peak)
		*peak = pk.v;
	corr_buf_free(&c);
	return 0;
}

/* Log-polar grid of the magnitude spectra. */
#define LP_ANGLES	256	/* over [0, pi): the magnitude spectrum is symmetric */
#define LP_RADII	128
#define LP_FMIN		0.01	/* cycles per pixel */
#define LP_FMAX		0.45

/* The magnitude spectrum of a windowed image, log-compressed, in the r2c half-plane
 * (@buf, @spec: scratch of the image's and the spectrum's size). */
static void log_magnitude(struct corr_buf *c, const struct fimg *im, float *buf,
			  fftwf_complex *spec, float *mag)
{
	int wc = c->w / 2 + 1;

	load_windowed(buf, im->p, im->w, im->h, 1, 1);
	fft_forward(c->pl, buf, spec);
	for (size_t i = 0; i < (size_t)wc * c->h; i++)
		mag[i] = log1pf(hypotf(spec[i][0], spec[i][1]));
}

/* Bilinear sample of the half-plane magnitude at frequency (fx, fy) cycles/pixel, using
 * M(-f) = M(f) for fx < 0 and periodicity in y. */
static float mag_sample(const float *mag, int w, int h, double fx, double fy)
{
	int wc = w / 2 + 1;

	if (fx < 0) {
		fx = -fx;
		fy = -fy;
	}
	double kx = fx * w, ky = fy * h;
	int x0 = (int)floor(kx), y0 = (int)floor(ky);
	double ax = kx - x0, ay = ky - y0;
	int x1 = x0 + 1 < wc ? x0 + 1 : x0;
	int ym = ((y0 % h) + h) % h, yp = (((y0 + 1) % h) + h) % h;

	if (x0 >= wc)
		return 0;
	const float *r0 = mag + (size_t)ym * wc, *r1 = mag + (size_t)yp * wc;
	double top = r0[x0] + ax * (r0[x1] - r0[x0]);
	double bot = r1[x0] + ax * (r1[x1] - r1[x0]);

	return (float)(top + ay * (bot - top));
}

/* Resample a magnitude spectrum on the log-polar grid: rows are angles, columns radii. */
static void log_polar(const float *mag, int w, int h, float *lp)
{
	double step = log(LP_FMAX / LP_FMIN) / (LP_RADII - 1);

	for (int j = 0; j < LP_ANGLES; j++) {
		double phi = M_PI * j / LP_ANGLES, cp = cos(phi), sp = sin(phi);

		for (int i = 0; i < LP_RADII; i++) {
			double r = LP_FMIN * exp(step * i);

			lp[(size_t)j * LP_RADII + i] = mag_sample(mag, w, h, r * cp, r * sp);
		}
	}
}

/* One frame's log-polar spectrum, windowed, into @out (one of the two frames' jobs). */
struct lp_job {
	struct corr_buf *c;
	const struct fimg *im;
	float *buf, *mag, *lp, *out;
	fftwf_complex *spec;
};

static void *lp_run(void *arg)
{
	struct lp_job *j = arg;

	log_magnitude(j->c, j->im, j->buf, j->spec, j->mag);
	log_polar(j->mag, j->c->w, j->c->h, j->lp);
	load_windowed(j->out, j->lp, LP_RADII, LP_ANGLES, 1, 0);
	return NULL;
}

/*
 * With live(x) = ref(s R(theta) x + t), |F_live(k)| = |F_ref(R(theta) k / s)| / s^2, so
 * on the log-polar grid live(log rho, phi) = ref(log rho - log s, phi + theta): a shift
 * that phase correlation finds, whatever the translation t.
 */
int fourier_mellin(const struct fimg *ref, const struct fimg *live, struct rot_scale *cand,
		   int max)
{
	struct corr_buf c, lc;
	int w = ref->w, h = ref->h, n = -1;
	size_t nc = (size_t)(w / 2 + 1) * h;
	float *mr = NULL, *ml = NULL, *lp = NULL;
	struct peak pk[8];
	struct lp_job j[2];

	if (max > 8)
		max = 8;
	if (corr_buf_init(&c, w, h))
		return -1;
	if (corr_buf_init(&lc, LP_RADII, LP_ANGLES)) {
		corr_buf_free(&c);
		return -1;
	}
	mr = malloc(sizeof(float) * nc);
	ml = malloc(sizeof(float) * nc);
	lp = malloc(2 * sizeof(float) * LP_RADII * LP_ANGLES);
	if (!mr || !ml || !lp) {
		dsr_seterr("registration: out of memory for the spectra");
		goto out;
	}
	/* the two frames' spectra on the two threads, each in its own buffers */
	j[0] = (struct lp_job){ &c, ref, c.a, mr, lp, lc.a, c.fa };
	j[1] = (struct lp_job){ &c, live, c.b, ml, lp + LP_RADII * LP_ANGLES, lc.b, c.fb };
	dsr_run_pair(lp_run, &j[0], &j[1]);
	cross_power(&lc, 0.25);
	n = find_peaks(lc.a, LP_RADII, LP_ANGLES, 2, pk, max);
	double step = log(LP_FMAX / LP_FMIN) / (LP_RADII - 1);

	for (int i = 0; i < n; i++) {
		cand[i].theta = pk[i].fy * M_PI / LP_ANGLES;
		cand[i].scale = exp(-pk[i].fx * step);
		cand[i].peak = pk[i].v;
	}
out:
	free(mr);
	free(ml);
	free(lp);
	corr_buf_free(&c);
	corr_buf_free(&lc);
	return n;
}

/*
 * landmarks.c - registration from hand-picked point pairs: least squares for each motion
 * model, with each point's residual, and the landmark file reader.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/register.h"

#define LANDMARKS_MAX 10000

/* Centroids of the live and reference points. */
static void centroids(const struct dsr_landmark *p, size_t n, double *lx, double *ly,
		      double *rx, double *ry)
{
	*lx = *ly = *rx = *ry = 0;
	for (size_t i = 0; i < n; i++) {
		*lx += p[i].live_x;
		*ly += p[i].live_y;
		*rx += p[i].ref_x;
		*ry += p[i].ref_y;
	}
	*lx /= (double)n;
	*ly /= (double)n;
	*rx /= (double)n;
	*ry /= (double)n;
}

/* Affine: two independent 3-parameter fits on centred coordinates (the translation
 * then falls out of the centroids). Collinear points leave the 2x2 system singular. */
static int fit_affine(const struct dsr_landmark *p, size_t n, struct dsr_affine *a)
{
	double lx, ly, rx, ry, sxx = 0, sxy = 0, syy = 0, sxu = 0, syu = 0, sxv = 0, syv = 0;

	centroids(p, n, &lx, &ly, &rx, &ry);
	for (size_t i = 0; i < n; i++) {
		double x = p[i].live_x - lx, y = p[i].live_y - ly;
		double u = p[i].ref_x - rx, v = p[i].ref_y - ry;

		sxx += x * x;
		sxy += x * y;
		syy += y * y;
		sxu += x * u;
		syu += y * u;
		sxv += x * v;
		syv += y * v;
	}
	double det = sxx * syy - sxy * sxy;

	if (!(det > 1e-9 * (sxx + syy) * (sxx + syy)) || sxx + syy <= 0)
		return dsr_seterr("landmarks: the live points are collinear; an affine "
				  "transform needs three points not on one line");
	a->a11 = (sxu * syy - syu * sxy) / det;
	a->a12 = (syu * sxx - sxu * sxy) / det;
	a->a21 = (sxv * syy - syv * sxy) / det;
	a->a22 = (syv * sxx - sxv * sxy) / det;
	a->tx = rx - a->a11 * lx - a->a12 * ly;
	a->ty = ry - a->a21 * lx - a->a22 * ly;
	return 0;
}

/* Similarity (scale free) or rigid (scale 1): the closed-form 2-D Procrustes solution. */
static int fit_similarity(const struct dsr_landmark *p, size_t n, int rigid, struct dsr_affine *a)
{
	double lx, ly, rx, ry, sc = 0, ss = 0, sn = 0;

	centroids(p, n, &lx, &ly, &rx, &ry);
	for (size_t i = 0; i < n; i++) {
		double x = p[i].live_x - lx, y = p[i].live_y - ly;
		double u = p[i].ref_x - rx, v = p[i].ref_y - ry;

		sc += x * u + y * v;
		ss += x * v - y * u;
		sn += x * x + y * y;
	}
	if (!(sn > 1e-9))
		return dsr_seterr("landmarks: all live points coincide; rotation is undefined");
	double c = sc / sn, s = ss / sn;

	if (rigid) {
		double th = atan2(ss, sc);

		c = cos(th);
		s = sin(th);
	}
	a->a11 = c;
	a->a12 = -s;
	a->a21 = s;
	a->a22 = c;
	a->tx = rx - c * lx + s * ly;
	a->ty = ry - s * lx - c * ly;
	return 0;
}

int dsr_register_landmarks(const struct dsr_landmark *pts, size_t n, enum dsr_motion motion,
			   struct dsr_affine *a, double *residuals, double *rms)
{
	double ss = 0;
	int rc;

	if (n < 3)
		return dsr_seterr("landmarks: %zu point pairs given, at least 3 needed", n);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(pts[i].live_x) || !isfinite(pts[i].live_y) ||
		    !isfinite(pts[i].ref_x) || !isfinite(pts[i].ref_y))
			return dsr_seterr("landmarks: point %zu is not a finite number", i + 1);
	switch (motion) {
	case DSR_MOTION_TRANSLATION: {
		double lx, ly, rx, ry;

		centroids(pts, n, &lx, &ly, &rx, &ry);
		*a = (struct dsr_affine){ 1, 0, rx - lx, 0, 1, ry - ly };
		rc = 0;
		break;
	}
	case DSR_MOTION_RIGID:
	case DSR_MOTION_SIMILARITY:
		rc = fit_similarity(pts, n, motion == DSR_MOTION_RIGID, a);
		break;
	case DSR_MOTION_AFFINE:
		rc = fit_affine(pts, n, a);
		break;
	default:
		return dsr_seterr("landmarks: unknown motion model %d", (int)motion);
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		double u = a->a11 * pts[i].live_x + a->a12 * pts[i].live_y + a->tx;
		double v = a->a21 * pts[i].live_x + a->a22 * pts[i].live_y + a->ty;
		double d = hypot(u - pts[i].ref_x, v - pts[i].ref_y);

		if (residuals)
			residuals[i] = d;
		ss += d * d;
	}
	if (rms)
		*rms = sqrt(ss / (double)n);
	return 0;
}

/* Hartley's normalisation of one side: centroid to 0, mean distance to sqrt(2);
 * t = [s 0 -s cx; 0 s -s cy; 0 0 1]. */
static void normaliser(const struct dsr_landmark *pts, size_t n, int ref, double t[9])
{
	double cx = 0, cy = 0, d = 0, s;

	for (size_t i = 0; i < n; i++) {
		cx += ref ? pts[i].ref_x : pts[i].live_x;
		cy += ref ? pts[i].ref_y : pts[i].live_y;
	}
	cx /= (double)n;
	cy /= (double)n;
	for (size_t i = 0; i < n; i++)
		d += hypot((ref ? pts[i].ref_x : pts[i].live_x) - cx,
			   (ref ? pts[i].ref_y : pts[i].live_y) - cy);
	d /= (double)n;
	s = d > 0 ? M_SQRT2 / d : 1;
	const double m[9] = { s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1 };

	memcpy(t, m, sizeof(m));
}

/* Solve the n x n system a x = b (a row-major, destroyed) by Gaussian elimination with
 * partial pivoting; -1 if a pivot is negligible (degenerate points). */
static int solve_dense(double *a, double *b, int n, double *x)
{
	double scale = 0;

	for (int i = 0; i < n * n; i++)
		scale = fmax(scale, fabs(a[i]));
	for (int c = 0; c < n; c++) {
		int piv = c;

		for (int r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[piv * n + c]))
				piv = r;
		if (!(fabs(a[piv * n + c]) > 1e-10 * scale))
			return -1;
		for (int k = 0; k < n; k++) {
			double t = a[c * n + k];

			a[c * n + k] = a[piv * n + k];
			a[piv * n + k] = t;
		}
		double tb = b[c];

		b[c] = b[piv];
		b[piv] = tb;
		for (int r = c + 1; r < n; r++) {
			double f = a[r * n + c] / a[c * n + c];

			for (int k = c; k < n; k++)
				a[r * n + k] -= f * a[c * n + k];
			b[r] -= f * b[c];
		}
	}
	for (int r = n - 1; r >= 0; r--) {
		double v = b[r];

		for (int k = r + 1; k < n; k++)
			v -= a[r * n + k] * x[k];
		x[r] = v / a[r * n + r];
	}
	return 0;
}

/* 3x3 c = a b. */
static void mul3(const double *a, const double *b, double *c)
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
}

/*
 * The homography through n >= 4 point pairs: the normalised DLT (Hartley) with h33 = 1,
 * least squares over all pairs (exact for four in general position). Residuals as for
 * dsr_register_landmarks().
 */
int dsr_register_landmarks_h(const struct dsr_landmark *pts, size_t n, struct dsr_homography *h,
			     double *residuals, double *rms)
{
	double tl[9], tr[9], ata[64] = { 0 }, atb[8] = { 0 }, x[8], hn[9], t[9], tri[9];
	double ss = 0;

	if (n < 4)
		return dsr_seterr("landmarks: %zu point pairs given, a projective fit needs at "
				  "least 4", n);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(pts[i].live_x) || !isfinite(pts[i].live_y) ||
		    !isfinite(pts[i].ref_x) || !isfinite(pts[i].ref_y))
			return dsr_seterr("landmarks: point %zu is not a finite number", i + 1);
	normaliser(pts, n, 0, tl);
	normaliser(pts, n, 1, tr);
	for (size_t i = 0; i < n; i++) {
		double lx = tl[0] * pts[i].live_x + tl[2], ly = tl[4] * pts[i].live_y + tl[5];
		double rx = tr[0] * pts[i].ref_x + tr[2], ry = tr[4] * pts[i].ref_y + tr[5];
		const double r1[8] = { lx, ly, 1, 0, 0, 0, -lx * rx, -ly * rx };
		const double r2[8] = { 0, 0, 0, lx, ly, 1, -lx * ry, -ly * ry };

		for (int a = 0; a < 8; a++) {
			atb[a] += r1[a] * rx + r2[a] * ry;
			for (int b = 0; b < 8; b++)
				ata[8 * a + b] += r1[a] * r1[b] + r2[a] * r2[b];
		}
	}
	if (solve_dense(ata, atb, 8, x))
		return dsr_seterr("landmarks: the points are degenerate for a projective fit "
				  "(three of four on a line, or repeated)");
	memcpy(hn, x, sizeof(x));
	hn[8] = 1;
	/* H = Tr^-1 Hn Tl */
	const double tri0[9] = { 1 / tr[0], 0, -tr[2] / tr[0], 0, 1 / tr[4], -tr[5] / tr[4],
				 0, 0, 1 };

	memcpy(tri, tri0, sizeof(tri));
	mul3(hn, tl, t);
	mul3(tri, t, h->h);
	if (!(fabs(h->h[8]) > 1e-300))
		return dsr_seterr("landmarks: the projective fit is degenerate");
	for (int i = 0; i < 8; i++)
		h->h[i] /= h->h[8];
	h->h[8] = 1;
	for (size_t i = 0; i < n; i++) {
		const double *m = h->h;
		double w = m[6] * pts[i].live_x + m[7] * pts[i].live_y + 1;
		double u = (m[0] * pts[i].live_x + m[1] * pts[i].live_y + m[2]) / w;
		double v = (m[3] * pts[i].live_x + m[4] * pts[i].live_y + m[5]) / w;
		double d = hypot(u - pts[i].ref_x, v - pts[i].ref_y);

		if (residuals)
			residuals[i] = d;
		ss += d * d;
	}
	if (rms)
		*rms = sqrt(ss / (double)n);
	return 0;
}

/*
 * Auto for landmarks: the nested-model F-test. With RSS the sums of squared residuals
 * (2n coordinates) and d = 2n - 8 the projective fit's residual degrees of freedom,
 * F = ((RSS_affine - RSS_proj) / 2) / (RSS_proj / d); for 2 numerator degrees of
 * freedom its tail is closed-form, P(F > f) = (1 + 2 f / d)^(-d / 2).
 */
int dsr_register_landmarks_auto(const struct dsr_landmark *pts, size_t n, struct dsr_affine *a,
				struct dsr_homography *h, int *projective, double *residuals,
				double *rms)
{
	double rms_a, rms_p, *res_p = NULL;

	*projective = 0;
	if (dsr_register_landmarks(pts, n, DSR_MOTION_AFFINE, a, residuals, &rms_a))
		return -1;
	dsr_homography_from_affine(a, h);
	if (rms)
		*rms = rms_a;
	if (n < 5)	/* no degrees of freedom left to judge the homography by */
		return 0;
	struct dsr_homography hp;

	res_p = residuals ? malloc(n * sizeof(double)) : NULL;
	if (residuals && !res_p)
		return dsr_seterr("landmarks: out of memory");
	if (dsr_register_landmarks_h(pts, n, &hp, res_p, &rms_p)) {
		free(res_p);
		return 0;	/* degenerate for the homography: the affine stands */
	}
	double d = 2.0 * (double)n - 8, rss_a = rms_a * rms_a * (double)n;
	double rss_p = rms_p * rms_p * (double)n;
	double f = rss_p > 0 ? (rss_a - rss_p) / 2 / (rss_p / d) : (rss_a > 0 ? INFINITY : 0);
	double p = isfinite(f) ? pow(1 + 2 * f / d, -d / 2) : 0;

	if (p < DSR_REGISTER_AUTO_ALPHA) {
		*projective = 1;
		*h = hp;
		*a = (struct dsr_affine){ hp.h[0], hp.h[1], hp.h[2], hp.h[3], hp.h[4], hp.h[5] };
		if (residuals)
			memcpy(residuals, res_p, n * sizeof(double));
		if (rms)
			*rms = rms_p;
	}
	free(res_p);
	return 0;
}

/* Four numbers from one line, separated by blanks and/or one comma. Returns 0 for four
 * numbers, 1 for a blank line, -1 for anything else (an empty field ",," included). */
static int parse_line(char *s, double v[4])
{
	int k = 0;

	for (;;) {
		int commas = 0;

		while (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r' || *s == '\n')
			commas += *s++ == ',';
		if (!*s)
			return k == 4 ? (commas ? -1 : 0) : (k == 0 && !commas ? 1 : -1);
		if (k == 4 || commas > 1 || (k == 0 && commas))
			return -1;
		char *end;

		errno = 0;
		v[k] = strtod(s, &end);
		if (end == s || errno || !isfinite(v[k]))
			return -1;
		k++;
		s = end;
		if (*s && !strchr(" \t,\r\n", *s))
			return -1;
	}
}

long dsr_landmarks_load(const char *path, struct dsr_landmark **out)
{
	FILE *f = fopen(path, "r");
	struct dsr_landmark *pts = NULL;
	size_t n = 0, cap = 0;
	char line[512];
	long lineno = 0;

	*out = NULL;
	if (!f)
		return dsr_seterr("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		double v[4];
		char *hash = strchr(line, '#');

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			dsr_seterr("%s:%ld: line too long", path, lineno);
			goto fail;
		}
		if (hash)
			*hash = 0;
		int rc = parse_line(line, v);

		if (rc > 0)
			continue;	/* blank or comment */
		if (rc < 0) {
			dsr_seterr("%s:%ld: expected 'live_x live_y ref_x ref_y'", path, lineno);
			goto fail;
		}
		if (n == LANDMARKS_MAX) {
			dsr_seterr("%s: more than %d landmarks", path, LANDMARKS_MAX);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			struct dsr_landmark *np = realloc(pts, nc * sizeof(*np));

			if (!np) {
				dsr_seterr("%s: out of memory", path);
				goto fail;
			}
			pts = np;
			cap = nc;
		}
		pts[n++] = (struct dsr_landmark){ v[0], v[1], v[2], v[3] };
	}
	if (ferror(f)) {
		dsr_seterr("%s: read error", path);
		goto fail;
	}
	fclose(f);
	if (n == 0) {
		free(pts);
		return dsr_seterr("%s: no landmarks", path);
	}
	*out = pts;
	return (long)n;
fail:
	fclose(f);
	free(pts);
	return -1;
}

/*
 * photometric.c - bend the reference's grey levels towards the live frame's before the
 * fine ECC levels.
 *
 * ECC is blind to a gain and an offset but not to a gamma change: with gamma 0.8..1.25
 * between visits the correlation maximum sits up to a tenth of a pixel away from the
 * true transform. Once the pair is roughly aligned, a cubic fitted over the overlap
 * (live ~ p(ref)) and applied to the reference makes the relation linear again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "register/register_priv.h"

#define PHOTO_DEG 3
#define PHOTO_N (PHOTO_DEG + 1)

/* Gaussian elimination with partial pivoting on a small dense system; -1 if singular. */
static int solve_small(double a[PHOTO_N][PHOTO_N], double *b, int n)
{
	for (int c = 0; c < n; c++) {
		int piv = c;

		for (int r = c + 1; r < n; r++)
			if (fabs(a[r][c]) > fabs(a[piv][c]))
				piv = r;
		if (fabs(a[piv][c]) < 1e-12)
			return -1;
		if (piv != c) {
			for (int k = 0; k < n; k++) {
				double t = a[c][k];

				a[c][k] = a[piv][k];
				a[piv][k] = t;
			}
			double t = b[c];

			b[c] = b[piv];
			b[piv] = t;
		}
		for (int r = c + 1; r < n; r++) {
			double f = a[r][c] / a[c][c];

			for (int k = c; k < n; k++)
				a[r][k] -= f * a[c][k];
			b[r] -= f * b[c];
		}
	}
	for (int r = n - 1; r >= 0; r--) {
		double s = b[r];

		for (int k = r + 1; k < n; k++)
			s -= a[r][k] * b[k];
		b[r] = s / a[r][r];
	}
	return 0;
}

/*
 * Least-squares cubic live ~ sum c_k z^k with z = (ref - m) / sd, over the live pixels
 * whose reference position under @a is inside. Fills pm->c, m and sd. -1 if the overlap
 * is flat or too small (the caller then keeps the reference as it is).
 */
int photometric_fit(const struct fimg *ref, const struct fimg *live, const struct dsr_affine *a,
		    struct photo_map *pm)
{
	struct dsr_homography h;

	dsr_homography_from_affine(a, &h);
	return photometric_fit_h(ref, live, &h, pm);
}

/*
 * The samples of the rows y0, y0 + step, ... below y1: the reference at each live pixel's
 * position where both are valid, into @rs / @ls in row order. The rows split in two
 * halves on two threads; their samples, put end to end, are those of one pass.
 */
struct photo_job {
	const struct fimg *ref, *live;
	const double *m;
	int step, y0, y1;
	float *rs, *ls;
	size_t ns;
};

static void *photo_collect(void *arg)
{
	struct photo_job *j = arg;
	const struct fimg *ref = j->ref, *live = j->live;
	const double *m = j->m;
	/* an affine's w is 1 exactly, and dividing by it changes nothing */
	int affine = m[6] == 0 && m[7] == 0 && m[8] == 1;

	for (int y = j->y0; y < j->y1; y += j->step) {
		for (int x = 0; x < live->w; x += j->step) {
			size_t i = (size_t)y * live->w + x;
			double un = m[0] * x + m[1] * y + m[2], vn = m[3] * x + m[4] * y + m[5];
			double w = affine ? 1 : m[6] * x + m[7] * y + m[8];
			float u = (float)(affine ? un : un / w), v = (float)(affine ? vn : vn / w);

			if (live->valid && !live->valid[i])
				continue;
			if (!(u >= 0 && v >= 0 && u <= ref->w - 1 && v <= ref->h - 1))
				continue;
			if (ref->valid && !ref->valid[(size_t)lroundf(v) * ref->w + lroundf(u)])
				continue;
			j->rs[j->ns] = fimg_bilinear(ref, u, v);
			j->ls[j->ns++] = live->p[i];
		}
	}
	return NULL;
}

#define PHOTO_PAR_PIXELS	(128 * 1024)	/* levels below this: one thread */

/* All samples, in row order, into @rs / @ls (room for @cap); their number. */
static size_t photo_samples(const struct fimg *ref, const struct fimg *live, const double *m,
			    int step, float *rs, float *ls)
{
	int rows = (live->h + step - 1) / step, cols = (live->w + step - 1) / step;
	int half = rows / 2;
	struct photo_job j[2] = {
		{ ref, live, m, step, 0, half * step, rs, ls, 0 },
		{ ref, live, m, step, half * step, live->h, rs + (size_t)half * cols,
		  ls + (size_t)half * cols, 0 },
	};

	if ((size_t)live->w * live->h < PHOTO_PAR_PIXELS) {
		j[0].y1 = live->h;
		photo_collect(&j[0]);
		return j[0].ns;
	}
	dsr_run_pair(photo_collect, &j[0], &j[1]);
	memmove(rs + j[0].ns, j[1].rs, j[1].ns * sizeof(float));
	memmove(ls + j[0].ns, j[1].ls, j[1].ns * sizeof(float));
	return j[0].ns + j[1].ns;
}

/* The same under a homography. */
int photometric_fit_h(const struct fimg *ref, const struct fimg *live,
		      const struct dsr_homography *hm, struct photo_map *pm)
{
	double s1 = 0, s2 = 0, n = 0;
	double ata[PHOTO_N][PHOTO_N] = { { 0 } }, atb[PHOTO_N] = { 0 };
	/* a cubic needs no million samples: every other row and column of large levels */
	int step = (size_t)live->w * live->h > 300000 ? 2 : 1;
	size_t cap = (size_t)((live->w + step - 1) / step) * ((live->h + step - 1) / step), ns;
	/* the samples of the first pass (the moments of ref, for the conditioning), kept for
	 * the second (the normal equations): one resampling, not two */
	float *rs = malloc(cap * sizeof(float));
	float *ls = malloc(cap * sizeof(float));

	if (!rs || !ls) {
		free(rs);
		free(ls);
		return dsr_seterr("registration: out of memory for the grey-level map");
	}
	ns = photo_samples(ref, live, hm->h, step, rs, ls);
	for (size_t k = 0; k < ns; k++) {	/* in row order, as one pass summed them */
		s1 += rs[k];
		s2 += (double)rs[k] * rs[k];
		n += 1;
	}
	if (n < 64)
		goto flat;
	pm->m = s1 / n;
	pm->sd = sqrt(fmax(s2 / n - pm->m * pm->m, 0));
	if (pm->sd < 1e-6)
		goto flat;
	for (size_t k = 0; k < ns; k++) {
		double z = (rs[k] - pm->m) / pm->sd, zk[PHOTO_N];

		zk[0] = 1;
		for (int a = 1; a < PHOTO_N; a++)
			zk[a] = zk[a - 1] * z;
		for (int a = 0; a < PHOTO_N; a++) {
			atb[a] += zk[a] * ls[k];
			for (int b = a; b < PHOTO_N; b++)	/* symmetric: the lower half below */
				ata[a][b] += zk[a] * zk[b];
		}
	}
	free(rs);
	free(ls);
	for (int a = 0; a < PHOTO_N; a++)
		for (int b = 0; b < a; b++)
			ata[a][b] = ata[b][a];
	if (solve_small(ata, atb, PHOTO_N))
		return -1;
	memcpy(pm->c, atb, sizeof(pm->c));
	return 0;
flat:
	free(rs);
	free(ls);
	return -1;
}

/* dst = p(src) pixel by pixel (dst may be src). */
void photometric_apply(const struct photo_map *pm, const struct fimg *src, struct fimg *dst)
{
	photometric_apply_range(pm, src, dst, 0, (size_t)src->w * src->h);
}

void photometric_apply_range(const struct photo_map *pm, const struct fimg *src,
			     struct fimg *dst, size_t i0, size_t i1)
{
	for (size_t i = i0; i < i1; i++) {
		double z = (src->p[i] - pm->m) / pm->sd;

		dst->p[i] = (float)(pm->c[0] + z * (pm->c[1] + z * (pm->c[2] + z * pm->c[3])));
	}
}

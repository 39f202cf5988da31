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

/* The same under a homography. */
int photometric_fit_h(const struct fimg *ref, const struct fimg *live,
		      const struct dsr_homography *hm, struct photo_map *pm)
{
	const double *m = hm->h;
	double s1 = 0, s2 = 0, n = 0;
	double ata[PHOTO_N][PHOTO_N] = { { 0 } }, atb[PHOTO_N] = { 0 };
	/* a cubic needs no million samples: every other row and column of large levels */
	int step = (size_t)live->w * live->h > 300000 ? 2 : 1;

	/* two passes: the moments of ref for the conditioning, then the normal equations */
	for (int pass = 0; pass < 2; pass++) {
		for (int y = 0; y < live->h; y += step) {
			for (int x = 0; x < live->w; x += step) {
				size_t i = (size_t)y * live->w + x;
				double w = m[6] * x + m[7] * y + m[8];
				float u = (float)((m[0] * x + m[1] * y + m[2]) / w);
				float v = (float)((m[3] * x + m[4] * y + m[5]) / w);

				if (live->valid && !live->valid[i])
					continue;
				if (!(u >= 0 && v >= 0 && u <= ref->w - 1 && v <= ref->h - 1))
					continue;
				if (ref->valid && !ref->valid[(size_t)lroundf(v) * ref->w + lroundf(u)])
					continue;
				double r = fimg_bilinear(ref, u, v);

				if (pass == 0) {
					s1 += r;
					s2 += r * r;
					n += 1;
					continue;
				}
				double z = (r - pm->m) / pm->sd, zk[PHOTO_N];

				zk[0] = 1;
				for (int k = 1; k < PHOTO_N; k++)
					zk[k] = zk[k - 1] * z;
				for (int j = 0; j < PHOTO_N; j++) {
					atb[j] += zk[j] * live->p[i];
					for (int k = 0; k < PHOTO_N; k++)
						ata[j][k] += zk[j] * zk[k];
				}
			}
		}
		if (pass == 0) {
			if (n < 64)
				return -1;
			pm->m = s1 / n;
			pm->sd = sqrt(fmax(s2 / n - pm->m * pm->m, 0));
			if (pm->sd < 1e-6)
				return -1;
		}
	}
	if (solve_small(ata, atb, PHOTO_N))
		return -1;
	memcpy(pm->c, atb, sizeof(pm->c));
	return 0;
}

/* dst = p(src) pixel by pixel (dst may be src). */
void photometric_apply(const struct photo_map *pm, const struct fimg *src, struct fimg *dst)
{
	for (size_t i = 0; i < (size_t)src->w * src->h; i++) {
		double z = (src->p[i] - pm->m) / pm->sd;

		dst->p[i] = (float)(pm->c[0] + z * (pm->c[1] + z * (pm->c[2] + z * pm->c[3])));
	}
}

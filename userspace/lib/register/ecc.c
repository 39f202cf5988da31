/*
 * ecc.c - ECC refinement: maximise the enhanced correlation coefficient between the live
 * frame and the reference sampled through the transform (Evangelidis and Psarakis,
 * "Parametric image alignment using enhanced correlation coefficient maximization",
 * IEEE PAMI 2008), forward additive, one level of the pyramid at a time.
 *
 * The correlation coefficient of zero-mean, unit-norm vectors does not change with a
 * gain or offset between the exposures, which is why ECC rather than least squares.
 *
 * Parameters live in centred, scaled coordinates (x~ = (x - c) / S, S = half the larger
 * frame side) so that every parameter moves pixels by similar amounts and the normal
 * equations stay well conditioned.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "register/register_priv.h"

#define ECC_MAXP 6

/* The transform in ECC's own coordinates: u = M x~ + p where x~ = (x - c) / S. */
struct ecc_warp {
	enum dsr_motion motion;
	int np;
	double cx, cy, S;
	double p[ECC_MAXP];	/* the motion's parameters, see warp_matrix() */
	double m11, m12, m21, m22, ptx, pty;
};

/* Rebuild M and the centre's image from the parameter vector. */
static void warp_matrix(struct ecc_warp *w)
{
	const double *p = w->p;

	switch (w->motion) {
	case DSR_MOTION_TRANSLATION:
		w->m11 = w->m22 = w->S;
		w->m12 = w->m21 = 0;
		w->ptx = p[0];
		w->pty = p[1];
		break;
	case DSR_MOTION_RIGID:
		w->m11 = w->m22 = w->S * cos(p[0]);
		w->m21 = w->S * sin(p[0]);
		w->m12 = -w->m21;
		w->ptx = p[1];
		w->pty = p[2];
		break;
	case DSR_MOTION_SIMILARITY:
		w->m11 = w->m22 = p[0];
		w->m21 = p[1];
		w->m12 = -p[1];
		w->ptx = p[2];
		w->pty = p[3];
		break;
	default:
		w->m11 = p[0];
		w->m12 = p[1];
		w->ptx = p[2];
		w->m21 = p[3];
		w->m22 = p[4];
		w->pty = p[5];
		break;
	}
}

/* Project a general affine onto the motion model's parameters (the nearest member). */
static void warp_from_affine(struct ecc_warp *w, enum dsr_motion motion,
			     const struct dsr_affine *a, int width, int height)
{
	memset(w, 0, sizeof(*w));
	w->motion = motion;
	w->cx = 0.5 * (width - 1);
	w->cy = 0.5 * (height - 1);
	w->S = 0.5 * (width > height ? width : height);
	double ptx = a->a11 * w->cx + a->a12 * w->cy + a->tx;
	double pty = a->a21 * w->cx + a->a22 * w->cy + a->ty;

	switch (motion) {
	case DSR_MOTION_TRANSLATION:
		w->np = 2;
		w->p[0] = ptx;
		w->p[1] = pty;
		break;
	case DSR_MOTION_RIGID:
		w->np = 3;
		w->p[0] = atan2(a->a21 - a->a12, a->a11 + a->a22);
		w->p[1] = ptx;
		w->p[2] = pty;
		break;
	case DSR_MOTION_SIMILARITY:
		w->np = 4;
		w->p[0] = 0.5 * (a->a11 + a->a22) * w->S;
		w->p[1] = 0.5 * (a->a21 - a->a12) * w->S;
		w->p[2] = ptx;
		w->p[3] = pty;
		break;
	default:
		w->np = 6;
		w->p[0] = a->a11 * w->S;
		w->p[1] = a->a12 * w->S;
		w->p[2] = ptx;
		w->p[3] = a->a21 * w->S;
		w->p[4] = a->a22 * w->S;
		w->p[5] = pty;
		break;
	}
	warp_matrix(w);
}

static void warp_to_affine(const struct ecc_warp *w, struct dsr_affine *a)
{
	a->a11 = w->m11 / w->S;
	a->a12 = w->m12 / w->S;
	a->a21 = w->m21 / w->S;
	a->a22 = w->m22 / w->S;
	a->tx = w->ptx - a->a11 * w->cx - a->a12 * w->cy;
	a->ty = w->pty - a->a21 * w->cx - a->a22 * w->cy;
}

/* Sums over the overlap from which one Gauss-Newton step of ECC follows. */
struct ecc_sums {
	double n, si, st, sii, stt, sit;
	double sj[ECC_MAXP], sji[ECC_MAXP], sjt[ECC_MAXP];
	double sjj[ECC_MAXP][ECC_MAXP];
	double valid;		/* valid live pixels, inside or not */
};

/* Is reference position (u, v) usable: inside with its 2x2 neighbourhood, not masked. */
static inline int ref_usable(const struct fimg *ref, float u, float v, int *x0, int *y0,
			     float *fx, float *fy)
{
	if (!(u >= 0.0f && v >= 0.0f && u < (float)(ref->w - 1) && v < (float)(ref->h - 1)))
		return 0;
	*x0 = (int)u;
	*y0 = (int)v;
	*fx = u - (float)*x0;
	*fy = v - (float)*y0;
	if (ref->valid && !ref->valid[(size_t)(*y0 + (*fy >= 0.5f)) * ref->w + *x0 + (*fx >= 0.5f)])
		return 0;
	return 1;
}

static inline float bilin(const float *p, int w, int x0, int y0, float fx, float fy)
{
	const float *r0 = p + (size_t)y0 * w + x0, *r1 = r0 + w;
	float top = r0[0] + fx * (r0[1] - r0[0]);
	float bot = r1[0] + fx * (r1[1] - r1[0]);

	return top + fy * (bot - top);
}

/* One pass over the live frame: the sums at the current warp. With gx == NULL only the
 * intensity sums (for the correlation coefficient). */
static void ecc_accumulate(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy,
			   const struct fimg *live, const struct ecc_warp *w, struct ecc_sums *s)
{
	int np = w->np;
	double inv_s = 1.0 / w->S;
	double c = 0, sn = 0;

	memset(s, 0, sizeof(*s));
	if (w->motion == DSR_MOTION_RIGID) {
		c = cos(w->p[0]) * w->S;
		sn = sin(w->p[0]) * w->S;
	}
	for (int y = 0; y < live->h; y++) {
		double yt = (y - w->cy) * inv_s;
		const float *lrow = live->p + (size_t)y * live->w;
		const uint8_t *vrow = live->valid ? live->valid + (size_t)y * live->w : NULL;

		for (int x = 0; x < live->w; x++) {
			if (vrow && !vrow[x])
				continue;
			s->valid += 1;
			double xt = (x - w->cx) * inv_s;
			float u = (float)(w->m11 * xt + w->m12 * yt + w->ptx);
			float v = (float)(w->m21 * xt + w->m22 * yt + w->pty);
			int x0, y0;
			float fx, fy;

			if (!ref_usable(ref, u, v, &x0, &y0, &fx, &fy))
				continue;
			double iv = bilin(ref->p, ref->w, x0, y0, fx, fy);
			double tv = lrow[x];

			s->n += 1;
			s->si += iv;
			s->st += tv;
			s->sii += iv * iv;
			s->stt += tv * tv;
			s->sit += iv * tv;
			if (!gx)
				continue;
			double ix = bilin(gx->p, gx->w, x0, y0, fx, fy);
			double iy = bilin(gy->p, gy->w, x0, y0, fx, fy);
			double j[ECC_MAXP];

			switch (w->motion) {
			case DSR_MOTION_TRANSLATION:
				j[0] = ix;
				j[1] = iy;
				break;
			case DSR_MOTION_RIGID:
				j[0] = ix * (-sn * xt - c * yt) + iy * (c * xt - sn * yt);
				j[1] = ix;
				j[2] = iy;
				break;
			case DSR_MOTION_SIMILARITY:
				j[0] = ix * xt + iy * yt;
				j[1] = -ix * yt + iy * xt;
				j[2] = ix;
				j[3] = iy;
				break;
			default:
				j[0] = ix * xt;
				j[1] = ix * yt;
				j[2] = ix;
				j[3] = iy * xt;
				j[4] = iy * yt;
				j[5] = iy;
				break;
			}
			for (int a = 0; a < np; a++) {
				s->sj[a] += j[a];
				s->sji[a] += j[a] * iv;
				s->sjt[a] += j[a] * tv;
				for (int b = 0; b <= a; b++)
					s->sjj[a][b] += j[a] * j[b];
			}
		}
	}
}

/* Solve H x = b for symmetric positive definite H (n <= 6) by Cholesky. -1 if H is not
 * positive definite (no texture, or the overlap degenerated). */
static int solve_spd(double h[ECC_MAXP][ECC_MAXP], int n, const double *b, double *x)
{
	double l[ECC_MAXP][ECC_MAXP] = { { 0 } };

	for (int i = 0; i < n; i++)
		for (int j = 0; j <= i; j++) {
			double s = h[i][j];

			for (int k = 0; k < j; k++)
				s -= l[i][k] * l[j][k];
			if (i == j) {
				if (!(s > 1e-300))
					return -1;
				l[i][i] = sqrt(s);
			} else {
				l[i][j] = s / l[j][j];
			}
		}
	double y[ECC_MAXP];

	for (int i = 0; i < n; i++) {
		double s = b[i];

		for (int k = 0; k < i; k++)
			s -= l[i][k] * y[k];
		y[i] = s / l[i][i];
	}
	for (int i = n - 1; i >= 0; i--) {
		double s = y[i];

		for (int k = i + 1; k < n; k++)
			s -= l[k][i] * x[k];
		x[i] = s / l[i][i];
	}
	return 0;
}

static double dot(const double *a, const double *b, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* Largest distance any corner of the frame moves when the parameters change by @dp. */
static double update_size(const struct ecc_warp *w, const double *dp, int width, int height)
{
	struct ecc_warp a = *w, b = *w;
	double worst = 0;

	for (int i = 0; i < w->np; i++)
		b.p[i] += dp[i];
	warp_matrix(&a);
	warp_matrix(&b);
	for (int k = 0; k < 4; k++) {
		double xt = ((k & 1 ? width - 1 : 0) - w->cx) / w->S;
		double yt = ((k & 2 ? height - 1 : 0) - w->cy) / w->S;
		double du = (b.m11 - a.m11) * xt + (b.m12 - a.m12) * yt + b.ptx - a.ptx;
		double dv = (b.m21 - a.m21) * xt + (b.m22 - a.m22) * yt + b.pty - a.pty;
		double d = hypot(du, dv);

		if (d > worst)
			worst = d;
	}
	return worst;
}

/* The correlation coefficient of the zero-mean intensities in @s. */
static double sums_rho(const struct ecc_sums *s)
{
	double n = s->n;

	if (n < 2)
		return 0;
	double vi = s->sii - s->si * s->si / n, vt = s->stt - s->st * s->st / n;
	double cov = s->sit - s->si * s->st / n;

	return (vi > 0 && vt > 0) ? cov / sqrt(vi * vt) : 0;
}

/*
 * One ECC step from the sums (the paper's equations with zero-mean Jacobian columns):
 * dp = H^-1 (lambda J'T - J'I), lambda chosen so the step maximises the correlation.
 */
static int ecc_step(const struct ecc_sums *s, int np, double *dp)
{
	double n = s->n, mi = s->si / n, mt = s->st / n;
	double h[ECC_MAXP][ECC_MAXP], ip[ECC_MAXP], tp[ECC_MAXP], hip[ECC_MAXP], htp[ECC_MAXP];
	double inorm2 = s->sii - n * mi * mi, tnorm2 = s->stt - n * mt * mt;
	double corr = s->sit - n * mi * mt, lambda;

	for (int a = 0; a < np; a++) {
		double mja = s->sj[a] / n;

		ip[a] = s->sji[a] - s->sj[a] * mi;
		tp[a] = s->sjt[a] - s->sj[a] * mt;
		for (int b = 0; b <= a; b++)
			h[a][b] = h[b][a] = s->sjj[a][b] - mja * s->sj[b];
	}
	if (solve_spd(h, np, ip, hip) || solve_spd(h, np, tp, htp))
		return dsr_seterr("registration: the overlap has no texture to register on");
	double lambda_n = inorm2 - dot(ip, hip, np);
	double lambda_d = corr - dot(tp, hip, np);

	if (lambda_d > 0) {
		lambda = lambda_n / lambda_d;
	} else {
		/* anticorrelated start: the paper's alternative choice of lambda */
		double ttp = dot(tp, htp, np);
		double l1 = sqrt(fmax(lambda_n, 0) / fmax(tnorm2 - ttp, 1e-300));
		double l2 = ttp > 0 ? (dot(ip, htp, np) - corr) / ttp : 0;

		lambda = fmax(l1, l2);
	}
	for (int a = 0; a < np; a++)
		dp[a] = lambda * htp[a] - hip[a];
	return 0;
}

int ecc_refine(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy,
	       const struct fimg *live, struct dsr_affine *a, struct ecc_state *st)
{
	struct ecc_warp w;
	struct ecc_sums s;
	int min_pixels = 16;

	warp_from_affine(&w, st->motion, a, live->w, live->h);
	st->iterations = 0;
	st->converged = 0;
	for (int it = 0; it < st->max_iter; it++) {
		double dp[ECC_MAXP];

		ecc_accumulate(ref, gx, gy, live, &w, &s);
		st->rho = sums_rho(&s);
		st->overlap = s.valid > 0 ? s.n / s.valid : 0;
		if (s.n < min_pixels)
			return dsr_seterr("registration: the frames do not overlap");
		if (ecc_step(&s, w.np, dp))
			return -1;
		double moved = update_size(&w, dp, live->w, live->h);

		for (int i = 0; i < w.np; i++)
			w.p[i] += dp[i];
		warp_matrix(&w);
		st->iterations++;
		if (!isfinite(moved))
			return dsr_seterr("registration: ECC diverged");
		if (moved < st->eps) {
			st->converged = 1;
			break;
		}
	}
	warp_to_affine(&w, a);
	return 0;
}

double ecc_rho(const struct fimg *ref, const struct fimg *live, const struct dsr_affine *a,
	       double *overlap)
{
	struct ecc_warp w;
	struct ecc_sums s;

	warp_from_affine(&w, DSR_MOTION_AFFINE, a, live->w, live->h);
	ecc_accumulate(ref, NULL, NULL, live, &w, &s);
	if (overlap)
		*overlap = s.valid > 0 ? s.n / s.valid : 0;
	return sums_rho(&s);
}

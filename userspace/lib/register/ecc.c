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
#include <unistd.h>

#include "dsr/error.h"
#include "register/register_priv.h"

#define ECC_MAXP 8	/* the homography's eight */

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

/* The reference with its gradients interleaved, so one bilinear fetch reads all three:
 * (value, gx, gy, 0) in one vector, interpolated in one go (GCC's generic vectors; each
 * lane computes exactly what the scalar expression did). */
typedef float ecc_texel __attribute__((vector_size(16)));

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

/* Bilinear sample of value and both gradients at once. */
static inline void bilin3(const ecc_texel *t, int w, int x0, int y0, float fx, float fy,
			  float *iv, float *ix, float *iy)
{
	const ecc_texel *a = t + (size_t)y0 * w + x0, *c = a + w;
	float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
	ecc_texel s = (ecc_texel){ w00, w00, w00, w00 } * a[0] +
		      (ecc_texel){ w10, w10, w10, w10 } * a[1] +
		      (ecc_texel){ w01, w01, w01, w01 } * c[0] +
		      (ecc_texel){ w11, w11, w11, w11 } * c[1];

	*iv = s[0];
	*ix = s[1];
	*iy = s[2];
}

/* Pixels [i0, i1) of the interleaved reference. */
struct tex_job {
	const struct fimg *ref, *gx, *gy;
	ecc_texel *tex;
	size_t i0, i1;
};

static void *tex_run(void *arg)
{
	struct tex_job *j = arg;

	for (size_t i = j->i0; i < j->i1; i++)
		j->tex[i] = (ecc_texel){ j->ref->p[i], j->gx->p[i], j->gy->p[i], 0 };
	return NULL;
}

/* The interleaved reference of one ECC run (16-byte aligned for the vector loads); the
 * halves of large levels on the two threads. */
static ecc_texel *texels(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy)
{
	size_t npx = (size_t)ref->w * ref->h;
	ecc_texel *tex = aligned_alloc(sizeof(ecc_texel), sizeof(ecc_texel) * npx);
	struct tex_job j[2] = { { ref, gx, gy, tex, 0, npx / 2 }, { ref, gx, gy, tex, npx / 2, npx } };

	if (!tex) {
		dsr_seterr("registration: out of memory for ECC");
		return NULL;
	}
	if (npx >= 48 * 1024) {
		dsr_run_pair(tex_run, &j[0], &j[1]);
	} else {
		tex_run(&j[0]);
		tex_run(&j[1]);
	}
	return tex;
}

/*
 * Sums of one row for the affine Jacobian J = [ix x, ix y, ix, iy x, iy y, iy]: along a
 * row y is constant, so every product is a sum over x of (gradient product) * x^k, and y
 * enters once per row (affine_row_finish()).
 */
enum { R_A0, R_A1, R_A2, R_B0, R_B1, R_B2, R_C0, R_C1, R_C2,	/* ix ix, ix iy, iy iy */
       R_X0, R_X1, R_Y0, R_Y1,					/* ix, iy */
       R_XI0, R_XI1, R_YI0, R_YI1, R_XT0, R_XT1, R_YT0, R_YT1,	/* ix I, iy I, ix T, iy T */
       R_N };

/* Add one row's sums (its y~ = @yt) into the affine sums @s. */
static void affine_row_finish(const double *r, double yt, struct ecc_sums *s)
{
	/* parameter p = (gradient g[p], coordinate m[p]): x (k=1), y (l=1) or 1 */
	static const int g[6] = { 0, 0, 0, 1, 1, 1 }, mk[6] = { 1, 0, 0, 1, 0, 0 };
	static const int ml[6] = { 0, 1, 0, 0, 1, 0 };
	const double *gg[2][2] = { { r + R_A0, r + R_B0 }, { r + R_B0, r + R_C0 } };
	const double gs[2][2] = { { r[R_X0], r[R_X1] }, { r[R_Y0], r[R_Y1] } };
	const double gi[2][2] = { { r[R_XI0], r[R_XI1] }, { r[R_YI0], r[R_YI1] } };
	const double gt[2][2] = { { r[R_XT0], r[R_XT1] }, { r[R_YT0], r[R_YT1] } };
	const double ypow[3] = { 1, yt, yt * yt };

	for (int p = 0; p < 6; p++) {
		double yl = ypow[ml[p]];

		s->sj[p] += gs[g[p]][mk[p]] * yl;
		s->sji[p] += gi[g[p]][mk[p]] * yl;
		s->sjt[p] += gt[g[p]][mk[p]] * yl;
		for (int q = 0; q <= p; q++)
			s->sjj[p][q] += gg[g[p]][g[q]][mk[p] + mk[q]] * ypow[ml[p] + ml[q]];
	}
}

/* Two doubles in one vector: pairs of the row sums that take the same operation (an x
 * and a y gradient, the live and the reference value) add in one instruction, each lane
 * exactly the scalar operation it replaces. */
typedef double v2d __attribute__((vector_size(16)));

static inline v2d splat(double a)
{
	return (v2d){ a, a };
}

/* One pass over rows [y0, y1) of the live frame: the sums at the current warp, for the
 * affine Jacobian (ecc_project() turns them into the motion model's), added to @s. */
static void ecc_accumulate(const struct fimg *ref, const ecc_texel *tex,
			   const struct fimg *live, const struct ecc_warp *w, struct ecc_sums *s,
			   int y0, int y1)
{
	double inv_s = 1.0 / w->S;

	for (int y = y0; y < y1; y++) {
		double yt = (y - w->cy) * inv_s, r[R_N];
		double n = 0, sit = 0, valid = 0, c0 = 0, c1 = 0, c2 = 0;
		/* (ix ix, ix iy) x~^0..2, (ix, iy) x~^0..1 and times I, T; (I, T), (I I, T T) */
		v2d ab0 = { 0 }, ab1 = { 0 }, ab2 = { 0 }, g0 = { 0 }, g1 = { 0 };
		v2d gi0 = { 0 }, gi1 = { 0 }, gt0 = { 0 }, gt1 = { 0 }, it1 = { 0 }, it2 = { 0 };
		const float *lrow = live->p + (size_t)y * live->w;
		const uint8_t *vrow = live->valid ? live->valid + (size_t)y * live->w : NULL;
		/* u, v along the row: start + x * step, exact enough in double */
		double u0 = w->m12 * yt + w->ptx - w->m11 * w->cx * inv_s;
		double v0 = w->m22 * yt + w->pty - w->m21 * w->cx * inv_s;
		double du = w->m11 * inv_s, dv = w->m21 * inv_s;

		for (int x = 0; x < live->w; x++) {
			if (vrow && !vrow[x])
				continue;
			valid += 1;
			float u = (float)(u0 + du * x), v = (float)(v0 + dv * x);
			int x0, y0;
			float fx, fy, ivf, ixf, iyf;

			if (!ref_usable(ref, u, v, &x0, &y0, &fx, &fy))
				continue;
			bilin3(tex, ref->w, x0, y0, fx, fy, &ivf, &ixf, &iyf);
			double iv = ivf, ix = ixf, iy = iyf, tv = lrow[x];
			double xt = (x - w->cx) * inv_s, c = iy * iy, tc = c * xt;
			v2d g = { ix, iy }, it = { iv, tv }, vx = splat(xt);
			v2d ab = g * splat(ix), t = ab * vx, gi = g * splat(iv), gt = g * splat(tv);

			n += 1;
			it1 += it;
			it2 += it * it;
			sit += iv * tv;
			ab0 += ab;
			ab1 += t;
			ab2 += t * vx;
			c0 += c;
			c1 += tc;
			c2 += tc * xt;
			g0 += g;
			g1 += g * vx;
			gi0 += gi;
			gi1 += gi * vx;
			gt0 += gt;
			gt1 += gt * vx;
		}
		s->valid += valid;
		s->n += n;
		s->si += it1[0];
		s->st += it1[1];
		s->sii += it2[0];
		s->stt += it2[1];
		s->sit += sit;
		if (n > 0) {
			r[R_A0] = ab0[0], r[R_A1] = ab1[0], r[R_A2] = ab2[0];
			r[R_B0] = ab0[1], r[R_B1] = ab1[1], r[R_B2] = ab2[1];
			r[R_C0] = c0, r[R_C1] = c1, r[R_C2] = c2;
			r[R_X0] = g0[0], r[R_X1] = g1[0], r[R_Y0] = g0[1], r[R_Y1] = g1[1];
			r[R_XI0] = gi0[0], r[R_XI1] = gi1[0], r[R_YI0] = gi0[1], r[R_YI1] = gi1[1];
			r[R_XT0] = gt0[0], r[R_XT1] = gt1[0], r[R_YT0] = gt0[1], r[R_YT1] = gt1[1];
			affine_row_finish(r, yt, s);
		}
	}
}

struct proj_warp;
static void proj_accumulate(const struct fimg *ref, const ecc_texel *tex,
			    const struct fimg *live, const struct proj_warp *w,
			    struct ecc_sums *s, int y0, int y1);

/*
 * Both cores on the big levels: the rows in bands of ACC_BAND, the even bands on one
 * thread and the odd ones on the other (halves of the frame would differ in work by as
 * much as a third where the overlap or the perspective favours one), the two partial
 * sums added (every member of struct ecc_sums is a double, so they add as an array). On
 * one thread (DSR_THREADS=1, or no thread could start) the same two parts run one after
 * the other and add alike, so the result is bit for bit the same for any thread count.
 * Small levels: one pass.
 */
#define PAR_MIN_PIXELS	(32 * 1024)
#define ACC_BAND	16

struct acc_job {
	const struct fimg *ref, *live;
	const ecc_texel *tex;
	const struct ecc_warp *aw;	/* affine pass, or */
	const struct proj_warp *pw;	/* projective pass */
	struct ecc_sums s;
	int y0, y1, band;	/* rows [y0, y1) in bands of @band from y0, every other one */
};

static void *acc_run(void *arg)
{
	struct acc_job *j = arg;

	for (int y = j->y0; y < j->y1; y += 2 * j->band) {
		int y1 = y + j->band < j->y1 ? y + j->band : j->y1;

		if (j->aw)
			ecc_accumulate(j->ref, j->tex, j->live, j->aw, &j->s, y, y1);
		else
			proj_accumulate(j->ref, j->tex, j->live, j->pw, &j->s, y, y1);
	}
	return NULL;
}

static void accumulate(const struct fimg *ref, const ecc_texel *tex,
		       const struct fimg *live, const struct ecc_warp *aw,
		       const struct proj_warp *pw, struct ecc_sums *s)
{
	struct acc_job j[2];

	memset(j, 0, sizeof(j));
	for (int k = 0; k < 2; k++) {
		j[k].ref = ref, j[k].live = live, j[k].tex = tex, j[k].aw = aw, j[k].pw = pw;
		j[k].y0 = k * ACC_BAND;
		j[k].y1 = live->h;
		j[k].band = ACC_BAND;
	}
	if ((size_t)live->w * live->h < PAR_MIN_PIXELS) {
		j[0].y0 = 0;
		j[0].band = live->h;	/* all rows, one pass */
		acc_run(&j[0]);
		*s = j[0].s;
		return;
	}
	dsr_run_pair(acc_run, &j[0], &j[1]);
	double *d = (double *)s;
	const double *a = (const double *)&j[0].s, *b = (const double *)&j[1].s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(double); i++)
		d[i] = a[i] + b[i];
}

/*
 * Every model is affine in x with parameters that move the six affine ones linearly
 * (locally): J_model = J_affine D. Project the affine sums onto the model's parameters:
 * sj <- D' sj, sjj <- D' sjj D (sjj is stored lower-triangular).
 */
static void ecc_project(const struct ecc_warp *w, struct ecc_sums *s)
{
	double d[6][ECC_MAXP] = { { 0 } }, full[6][6], out[ECC_MAXP][ECC_MAXP];
	double sj[ECC_MAXP], sji[ECC_MAXP], sjt[ECC_MAXP];
	int np = w->np;

	switch (w->motion) {
	case DSR_MOTION_AFFINE:
		return;
	case DSR_MOTION_TRANSLATION:
		d[2][0] = d[5][1] = 1;
		break;
	case DSR_MOTION_RIGID: {
		double c = w->S * cos(w->p[0]), sn = w->S * sin(w->p[0]);

		d[0][0] = -sn;
		d[1][0] = -c;
		d[3][0] = c;
		d[4][0] = -sn;
		d[2][1] = d[5][2] = 1;
		break;
	}
	default:	/* similarity: m11 = m22 = a, m21 = -m12 = b */
		d[0][0] = d[4][0] = 1;
		d[1][1] = -1;
		d[3][1] = 1;
		d[2][2] = d[5][3] = 1;
		break;
	}
	for (int p = 0; p < 6; p++)
		for (int q = 0; q < 6; q++)
			full[p][q] = p >= q ? s->sjj[p][q] : s->sjj[q][p];
	for (int a = 0; a < np; a++) {
		sj[a] = sji[a] = sjt[a] = 0;
		for (int p = 0; p < 6; p++) {
			sj[a] += d[p][a] * s->sj[p];
			sji[a] += d[p][a] * s->sji[p];
			sjt[a] += d[p][a] * s->sjt[p];
		}
		for (int b = 0; b <= a; b++) {
			double v = 0;

			for (int p = 0; p < 6; p++)
				for (int q = 0; q < 6; q++)
					v += d[p][a] * full[p][q] * d[q][b];
			out[a][b] = v;
		}
	}
	memset(s->sj, 0, sizeof(s->sj));
	memset(s->sji, 0, sizeof(s->sji));
	memset(s->sjt, 0, sizeof(s->sjt));
	memset(s->sjj, 0, sizeof(s->sjj));
	for (int a = 0; a < np; a++) {
		s->sj[a] = sj[a];
		s->sji[a] = sji[a];
		s->sjt[a] = sjt[a];
		for (int b = 0; b <= a; b++)
			s->sjj[a][b] = out[a][b];
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
	ecc_texel *tex = texels(ref, gx, gy);

	if (!tex)
		return -1;
	warp_from_affine(&w, st->motion, a, live->w, live->h);
	st->iterations = 0;
	st->converged = 0;
	for (int it = 0; it < st->max_iter; it++) {
		double dp[ECC_MAXP] = { 0 };

		accumulate(ref, tex, live, &w, NULL, &s);
		ecc_project(&w, &s);
		st->rho = sums_rho(&s);
		if (s.n > 1) {
			st->var_live = (s.stt - s.st * s.st / s.n) / s.n;
			st->var_ref = (s.sii - s.si * s.si / s.n) / s.n;
		}
		st->overlap = s.valid > 0 ? s.n / s.valid : 0;
		st->n = s.n;
		if (s.n < min_pixels) {
			free(tex);
			return dsr_seterr("registration: the frames do not overlap");
		}
		if (ecc_step(&s, w.np, dp)) {
			free(tex);
			return -1;
		}
		double moved = update_size(&w, dp, live->w, live->h);

		for (int i = 0; i < w.np; i++)
			w.p[i] += dp[i];
		warp_matrix(&w);
		st->iterations++;
		if (!isfinite(moved)) {
			free(tex);
			return dsr_seterr("registration: ECC diverged");
		}
		if (moved < st->eps) {
			st->converged = 1;
			break;
		}
	}
	free(tex);
	warp_to_affine(&w, a);
	return 0;
}

/*
 * Projective ECC. The homography in centred coordinates, normalised:
 *	u = (m11 x~ + m12 y~ + ptx) / w,  v = (m21 x~ + m22 y~ + pty) / w,
 *	w = 1 + g1 x~ + g2 y~,  x~ = (x - c) / S,
 * parameters p = [m11 m12 ptx m21 m22 pty g1 g2]. The Jacobian of (u, v) is
 * [x~ y~ 1 0 0 0 -u x~ -u y~; 0 0 0 x~ y~ 1 -v x~ -v y~] / w, contracted with the
 * reference gradients per pixel (no row factorisation as for the affine: the division
 * couples x and y).
 */
struct proj_warp {
	double cx, cy, S;
	double p[8];
};

/* G = H T with T: x~ -> x, normalised to G22 = 1; back: H = G T^-1. */
static int proj_from_h(struct proj_warp *w, const struct dsr_homography *h, int width,
		       int height)
{
	const double *m = h->h;
	double g[9];

	w->cx = 0.5 * (width - 1);
	w->cy = 0.5 * (height - 1);
	w->S = 0.5 * (width > height ? width : height);
	for (int r = 0; r < 3; r++) {
		g[3 * r + 0] = m[3 * r + 0] * w->S;
		g[3 * r + 1] = m[3 * r + 1] * w->S;
		g[3 * r + 2] = m[3 * r + 0] * w->cx + m[3 * r + 1] * w->cy + m[3 * r + 2];
	}
	if (!(fabs(g[8]) > 1e-12))
		return dsr_seterr("registration: the homography sends the frame centre to infinity");
	w->p[0] = g[0] / g[8];
	w->p[1] = g[1] / g[8];
	w->p[2] = g[2] / g[8];
	w->p[3] = g[3] / g[8];
	w->p[4] = g[4] / g[8];
	w->p[5] = g[5] / g[8];
	w->p[6] = g[6] / g[8];
	w->p[7] = g[7] / g[8];
	return 0;
}

static void proj_to_h(const struct proj_warp *w, struct dsr_homography *h)
{
	const double g[9] = { w->p[0], w->p[1], w->p[2], w->p[3], w->p[4], w->p[5],
			      w->p[6], w->p[7], 1 };
	double is = 1.0 / w->S;

	for (int r = 0; r < 3; r++) {
		h->h[3 * r + 0] = g[3 * r + 0] * is;
		h->h[3 * r + 1] = g[3 * r + 1] * is;
		h->h[3 * r + 2] = g[3 * r + 2] - (g[3 * r + 0] * w->cx + g[3 * r + 1] * w->cy) * is;
	}
	for (int i = 0; i < 9; i++)	/* h33 = 1 */
		h->h[i] /= h->h[8];
}

/* (u, v) of live (x~, y~); 0 if w is not positive there. */
static inline int proj_map(const double *p, double xt, double yt, double *u, double *v,
			   double *iw)
{
	double w = 1 + p[6] * xt + p[7] * yt;

	if (!(w > 1e-6))
		return 0;
	*iw = 1.0 / w;
	*u = (p[0] * xt + p[1] * yt + p[2]) * *iw;
	*v = (p[3] * xt + p[4] * yt + p[5]) * *iw;
	return 1;
}

/*
 * Row sums for the projective Jacobian. Its eight columns are three per-pixel
 * "gradients" g = (ix, iy, gp) times a coordinate (x~, y~ or 1): [ix x~, ix y~, ix, iy x~,
 * iy y~, iy, gp x~, gp y~]. Along a row y~ is constant, so every sum is one over x of a
 * gradient product times x~^k, and y~ enters once per row (proj_row_finish()): 36 sums a
 * pixel instead of 60 products.
 */
enum { PR_GG = 0,		/* 6 gradient pairs (00 01 11 02 12 22) x x~^0..2 */
       PR_G = 18,		/* 3 gradients x x~^0..1 */
       PR_GI = 24,		/* gradient * ref, x x~^0..1 */
       PR_GT = 30,		/* gradient * live, x x~^0..1 */
       PR_N = 36 };

static void proj_row_finish(const double *r, double yt, struct ecc_sums *s)
{
	static const int g[8] = { 0, 0, 0, 1, 1, 1, 2, 2 }, mk[8] = { 1, 0, 0, 1, 0, 0, 1, 0 };
	static const int ml[8] = { 0, 1, 0, 0, 1, 0, 0, 1 };
	static const int pair[3][3] = { { 0, 1, 3 }, { 1, 2, 4 }, { 3, 4, 5 } };
	const double ypow[3] = { 1, yt, yt * yt };

	for (int p = 0; p < 8; p++) {
		double yl = ypow[ml[p]];

		s->sj[p] += r[PR_G + 2 * g[p] + mk[p]] * yl;
		s->sji[p] += r[PR_GI + 2 * g[p] + mk[p]] * yl;
		s->sjt[p] += r[PR_GT + 2 * g[p] + mk[p]] * yl;
		for (int q = 0; q <= p; q++)
			s->sjj[p][q] += r[PR_GG + 3 * pair[g[p]][g[q]] + mk[p] + mk[q]] *
					ypow[ml[p] + ml[q]];
	}
}

/* One pass over rows [y0, y1): the sums for the eight parameters, added to @s. Pairs of
 * sums that take the same operation share a vector (see v2d). */
static void proj_accumulate(const struct fimg *ref, const ecc_texel *tex,
			    const struct fimg *live, const struct proj_warp *w,
			    struct ecc_sums *s, int y0, int y1)
{
	double inv_s = 1.0 / w->S;
	const double *p = w->p;

	for (int y = y0; y < y1; y++) {
		double yt = (y - w->cy) * inv_s, r[PR_N];
		double n = 0, sit = 0, valid = 0;
		/* gradient pairs (ix ix, ix iy), (iy iy, ix gp), (iy gp, gp gp) x x~^0..2 */
		v2d gg[3][3] = { { { 0 } } };
		/* (ix, iy) x~^0..1, times 1, I and T; gp likewise; (I, T), (I I, T T) */
		v2d g0 = { 0 }, g1 = { 0 }, gi0 = { 0 }, gi1 = { 0 }, gt0 = { 0 }, gt1 = { 0 };
		v2d it1 = { 0 }, it2 = { 0 };
		double p0 = 0, p1 = 0, pi0 = 0, pi1 = 0, pt0 = 0, pt1 = 0;
		const float *lrow = live->p + (size_t)y * live->w;
		const uint8_t *vrow = live->valid ? live->valid + (size_t)y * live->w : NULL;
		/* numerators and denominator along the row: start + xt * step */
		double nu0 = p[1] * yt + p[2], nv0 = p[4] * yt + p[5], w0 = 1 + p[7] * yt;

		for (int x = 0; x < live->w; x++) {
			double xt = (x - w->cx) * inv_s, d = w0 + p[6] * xt;
			int x0, y0;
			float fx, fy, ivf, ixf, iyf;

			if (vrow && !vrow[x])
				continue;
			valid += 1;
			if (!(d > 1e-6))
				continue;
			double iw = 1.0 / d, u = (nu0 + p[0] * xt) * iw, v = (nv0 + p[3] * xt) * iw;

			if (!ref_usable(ref, (float)u, (float)v, &x0, &y0, &fx, &fy))
				continue;
			bilin3(tex, ref->w, x0, y0, fx, fy, &ivf, &ixf, &iyf);
			double iv = ivf, ix = ixf * iw, iy = iyf * iw, tv = lrow[x];
			double gp = -(ix * u + iy * v), xt2 = xt * xt;
			v2d g = { ix, iy }, it = { iv, tv }, vx = splat(xt), vx2 = splat(xt2);
			const v2d pr[3] = { g * splat(ix), (v2d){ iy * iy, ix * gp },
					    (v2d){ iy * gp, gp * gp } };
			v2d gi = g * splat(iv), gt = g * splat(tv);
			double gpi = gp * iv, gpt = gp * tv;

			n += 1;
			it1 += it;
			it2 += it * it;
			sit += iv * tv;
#pragma GCC unroll 3
			for (int k = 0; k < 3; k++) {
				gg[k][0] += pr[k];
				gg[k][1] += pr[k] * vx;
				gg[k][2] += pr[k] * vx2;
			}
			g0 += g;
			g1 += g * vx;
			gi0 += gi;
			gi1 += gi * vx;
			gt0 += gt;
			gt1 += gt * vx;
			p0 += gp;
			p1 += gp * xt;
			pi0 += gpi;
			pi1 += gpi * xt;
			pt0 += gpt;
			pt1 += gpt * xt;
		}
		s->valid += valid;
		s->n += n;
		s->si += it1[0];
		s->st += it1[1];
		s->sii += it2[0];
		s->stt += it2[1];
		s->sit += sit;
		if (n > 0) {
			for (int k = 0; k < 6; k++)	/* pair k is lane k % 2 of gg[k / 2] */
				for (int e = 0; e < 3; e++)
					r[PR_GG + 3 * k + e] = gg[k / 2][e][k % 2];
			const double gs[3][2] = { { g0[0], g1[0] }, { g0[1], g1[1] }, { p0, p1 } };
			const double gis[3][2] = { { gi0[0], gi1[0] }, { gi0[1], gi1[1] }, { pi0, pi1 } };
			const double gts[3][2] = { { gt0[0], gt1[0] }, { gt0[1], gt1[1] }, { pt0, pt1 } };

			for (int k = 0; k < 3; k++)
				for (int e = 0; e < 2; e++) {
					r[PR_G + 2 * k + e] = gs[k][e];
					r[PR_GI + 2 * k + e] = gis[k][e];
					r[PR_GT + 2 * k + e] = gts[k][e];
				}
			proj_row_finish(r, yt, s);
		}
	}
}

/* Largest distance a frame corner moves between two parameter vectors. */
static double proj_update_size(const struct proj_warp *w, const double *np, int width,
			       int height)
{
	double worst = 0;

	for (int k = 0; k < 4; k++) {
		double xt = ((k & 1 ? width - 1 : 0) - w->cx) / w->S;
		double yt = ((k & 2 ? height - 1 : 0) - w->cy) / w->S;
		double u0, v0, u1, v1, iw;

		if (!proj_map(w->p, xt, yt, &u0, &v0, &iw) || !proj_map(np, xt, yt, &u1, &v1, &iw))
			return INFINITY;
		worst = fmax(worst, hypot(u1 - u0, v1 - v0));
	}
	return worst;
}

int ecc_refine_projective(const struct fimg *ref, const struct fimg *gx, const struct fimg *gy,
			  const struct fimg *live, struct dsr_homography *h, struct ecc_state *st)
{
	struct proj_warp w;
	struct ecc_sums s;
	ecc_texel *tex;

	if (proj_from_h(&w, h, live->w, live->h))
		return -1;
	tex = texels(ref, gx, gy);
	if (!tex)
		return -1;
	st->iterations = 0;
	st->converged = 0;
	for (int it = 0; it < st->max_iter; it++) {
		double dp[ECC_MAXP] = { 0 }, np[8];

		accumulate(ref, tex, live, NULL, &w, &s);
		st->rho = sums_rho(&s);
		if (s.n > 1) {
			st->var_live = (s.stt - s.st * s.st / s.n) / s.n;
			st->var_ref = (s.sii - s.si * s.si / s.n) / s.n;
		}
		st->overlap = s.valid > 0 ? s.n / s.valid : 0;
		st->n = s.n;
		if (s.n < 16) {
			free(tex);
			return dsr_seterr("registration: the frames do not overlap");
		}
		if (ecc_step(&s, 8, dp)) {
			free(tex);
			return -1;
		}
		for (int i = 0; i < 8; i++)
			np[i] = w.p[i] + dp[i];
		double moved = proj_update_size(&w, np, live->w, live->h);

		memcpy(w.p, np, sizeof(np));
		st->iterations++;
		if (!isfinite(moved)) {
			free(tex);
			return dsr_seterr("registration: projective ECC diverged");
		}
		if (moved < st->eps) {
			st->converged = 1;
			break;
		}
	}
	free(tex);
	proj_to_h(&w, h);
	return 0;
}

/*
 * How many pixels of the ECC residual make one independent sample, by batch means: the
 * residual e = (live - mean) - beta (ref(h x) - mean) (beta the least-squares gain, as
 * the correlation coefficient implies) averaged over whole B x B blocks of the live
 * frame has variance var(e) * eff / B^2, so eff = B^2 mean(e_block^2) / var(e) (1 for
 * white noise; larger for noise the blur and the sensor correlate, and for structure
 * the model leaves). The block means of e are linear in those of live and ref, so one
 * pass. 0 if fewer than 16 whole blocks overlap.
 */
#define EFF_BLOCK	16

double ecc_residual_eff(const struct fimg *ref, const struct fimg *live,
			const struct dsr_homography *h)
{
	int bw = live->w / EFF_BLOCK, bh = live->h / EFF_BLOCK, nb = 0;
	double n = 0, si = 0, st = 0, sii = 0, stt = 0, sit = 0;
	double *bi = calloc((size_t)bw * bh + 1, sizeof(double));
	double *bt = calloc((size_t)bw * bh + 1, sizeof(double));
	int *bc = calloc((size_t)bw * bh + 1, sizeof(int));

	if (!bi || !bt || !bc) {
		free(bi);
		free(bt);
		free(bc);
		return 0;
	}
	for (int y = 0; y < bh * EFF_BLOCK; y++)
		for (int x = 0; x < bw * EFF_BLOCK; x++) {
			size_t k = (size_t)y * live->w + x, b;
			double u, v;
			int x0, y0;
			float fx, fy;

			if (live->valid && !live->valid[k])
				continue;
			homography_apply(h, x, y, &u, &v);
			if (!ref_usable(ref, (float)u, (float)v, &x0, &y0, &fx, &fy))
				continue;
			const float *p = ref->p + (size_t)y0 * ref->w + x0;
			double iv = (1 - fx) * (1 - fy) * p[0] + fx * (1 - fy) * p[1] +
				    (1 - fx) * fy * p[ref->w] + fx * fy * p[ref->w + 1];
			double tv = live->p[k];

			n += 1, si += iv, st += tv, sii += iv * iv, stt += tv * tv, sit += iv * tv;
			b = (size_t)(y / EFF_BLOCK) * bw + x / EFF_BLOCK;
			bi[b] += iv, bt[b] += tv, bc[b]++;
		}
	double eff = 0;

	if (n > 1) {
		double mi = si / n, mt = st / n, vi = sii / n - mi * mi, vt = stt / n - mt * mt;
		double cov = sit / n - mi * mt, beta = vi > 0 ? cov / vi : 0;
		double ve = vt - beta * cov, sb = 0;

		for (int b = 0; b < bw * bh; b++) {
			if (bc[b] != EFF_BLOCK * EFF_BLOCK)
				continue;
			double e = (bt[b] - beta * bi[b]) / bc[b] - (mt - beta * mi);

			sb += e * e;
			nb++;
		}
		if (nb >= 16 && ve > 0)
			eff = fmax(1, EFF_BLOCK * EFF_BLOCK * (sb / nb) / ve);
	}
	free(bi);
	free(bt);
	free(bc);
	return eff;
}

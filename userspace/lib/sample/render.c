/*
 * render.c - a radiograph of the phantom: what a sensor would record, pixel by pixel.
 *
 * Each live pixel integrates the transmission exp(-sum mu * path) over its area (2 x 2
 * samples, the detector's own anti-aliasing), at reference positions given by the
 * live->reference transform. The detected photon count then gets the exposure (gain on
 * the signal), quantum noise (standard deviation sqrt(count): Poisson statistics at
 * these counts) and electronic read noise; the normalised signal is raised to gamma,
 * inverted (more attenuation = brighter, as dental images are displayed), offset and
 * quantised. Noise comes from a hash of (noise seed, x, y), so a pixel's value does not
 * depend on how the rows were split over threads.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "dsr/error.h"
#include "sample_priv.h"

#define SUPERSAMPLE	2
#define MAX_THREADS	8

void dsr_exposure_default(struct dsr_exposure *e)
{
	e->gain = 1;
	e->gamma = 1;
	e->offset = 0;
	e->noise = 1;
}

/* What one rendering needs, shared read-only by the worker threads. */
struct render_job {
	const struct dsr_phantom *ph;
	struct dsr_homography h;	/* live -> reference */
	struct dsr_exposure e;
	const struct dsr_lesion *lesion;
	struct dsr_image *im;
	uint64_t noise_seed;
	uint32_t row0, row1;	/* this worker's rows [row0, row1) */
};

/* Mean transmission over the live pixel (x, y)'s area. */
static double pixel_transmission(const struct render_job *j, uint32_t x, uint32_t y)
{
	double sum = 0;

	for (int sy = 0; sy < SUPERSAMPLE; sy++) {
		double ly = y + (sy + 0.5) / SUPERSAMPLE - 0.5;

		for (int sx = 0; sx < SUPERSAMPLE; sx++) {
			double lx = x + (sx + 0.5) / SUPERSAMPLE - 0.5;
			const double *m = j->h.h;
			double w = m[6] * lx + m[7] * ly + m[8];
			double u = (m[0] * lx + m[1] * ly + m[2]) / w;
			double v = (m[3] * lx + m[4] * ly + m[5]) / w;

			sum += phantom_transmission(j->ph, u, v, j->lesion);
		}
	}
	return sum / (SUPERSAMPLE * SUPERSAMPLE);
}

/* A standard normal deviate for pixel (x, y), stream @k, by Box-Muller on two hashed
 * uniforms in (0, 1). */
static double pixel_normal(uint64_t seed, uint32_t x, uint32_t y, uint32_t k)
{
	uint32_t base = hash3((uint32_t)seed, (uint32_t)(seed >> 32), k);
	double u1 = (hash3(base, x, y) + 0.5) / 4294967296.0;
	double u2 = (hash3(base ^ 0x5bd1e995u, y, x) + 0.5) / 4294967296.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* Transmission -> grey level: exposure, noise, gamma, inversion, offset, quantisation. */
static uint16_t expose(const struct render_job *j, double t, uint32_t x, uint32_t y)
{
	double counts = DETECTOR_AIR_COUNTS * j->e.gain * t;
	double max = (double)((1u << j->im->bits) - 1);
	double sig, grey;

	if (j->e.noise > 0)
		counts += j->e.noise * (sqrt(counts) * pixel_normal(j->noise_seed, x, y, 1) +
					DETECTOR_READ_NOISE * pixel_normal(j->noise_seed, x, y, 2));
	sig = counts / DETECTOR_AIR_COUNTS;
	sig = sig < 0 ? 0 : sig > 1 ? 1 : sig;
	grey = 1 - pow(sig, j->e.gamma) + j->e.offset;
	grey = grey < 0 ? 0 : grey > 1 ? 1 : grey;
	return (uint16_t)lrint(grey * max);
}

static void *render_rows(void *arg)
{
	const struct render_job *j = arg;

	for (uint32_t y = j->row0; y < j->row1; y++) {
		uint16_t *row = dsr_image_row(j->im, y);

		for (uint32_t x = 0; x < j->im->width; x++)
			row[x] = expose(j, pixel_transmission(j, x, y), x, y);
	}
	return NULL;
}

/* Exposure and transform must be usable numbers; NULL means baseline / identity. */
static int check_inputs(const struct dsr_homography *h, uint32_t w, uint32_t ht,
			const struct dsr_exposure *e, const struct dsr_lesion *l, uint32_t bits)
{
	if (bits < 8 || bits > 16)
		return dsr_seterr("phantom: %u bits is outside 8..16", bits);
	for (int i = 0; i < 9; i++)
		if (!isfinite(h->h[i]))
			return dsr_seterr("phantom: the live->reference transform is not finite");
	for (int k = 0; k < 4; k++) {	/* w keeps its sign over the frame (convex) */
		double x = k & 1 ? (double)w : -1.0, y = k & 2 ? (double)ht : -1.0;

		if (!(h->h[6] * x + h->h[7] * y + h->h[8] > 0))
			return dsr_seterr("phantom: the homography's h31 x + h32 y + h33 is not "
					  "positive over the frame");
	}
	if (!(e->gain > 0 && e->gain < 1e6))
		return dsr_seterr("phantom: exposure gain %g is not positive", e->gain);
	if (!(e->gamma > 0.05 && e->gamma < 20))
		return dsr_seterr("phantom: exposure gamma %g is outside 0.05..20", e->gamma);
	if (!(fabs(e->offset) <= 1))
		return dsr_seterr("phantom: exposure offset %g is outside -1..1", e->offset);
	if (!(e->noise >= 0 && e->noise <= 100))
		return dsr_seterr("phantom: noise scale %g is outside 0..100", e->noise);
	if (l && !(isfinite(l->x) && isfinite(l->y) && l->radius >= 0 && isfinite(l->radius) &&
		   l->loss >= -1 && l->loss <= 1))
		return dsr_seterr("phantom: lesion needs a finite centre, radius >= 0 and loss "
				  "in -1..1");
	return 0;
}

/* Worker threads for the available cores (at most MAX_THREADS, one for small frames). */
static unsigned thread_count(uint32_t height)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1 || height < 64)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

struct dsr_image *dsr_phantom_render(const struct dsr_phantom *ph,
				     const struct dsr_affine *live_to_ref,
				     const struct dsr_exposure *exposure,
				     const struct dsr_lesion *lesion,
				     uint32_t bits, uint64_t noise_seed)
{
	static const struct dsr_affine identity = { 1, 0, 0, 0, 1, 0 };
	struct dsr_homography h;

	dsr_homography_from_affine(live_to_ref ? live_to_ref : &identity, &h);
	return dsr_phantom_render_h(ph, &h, exposure, lesion, bits, noise_seed);
}

/* A pinhole of focal length f (pixels) at the frame centre looking at a plane turned by
 * tilt_x about the vertical axis and tilt_y about the horizontal one: the plane's points
 * seen in the turned view map to the straight view by K R K^-1, shifted so that the
 * beam's aim (the frame centre) stays put. */
int dsr_beam_angulation(uint32_t width, uint32_t height, double tilt_x_deg, double tilt_y_deg,
			double focal_px, const struct dsr_affine *a, struct dsr_homography *out)
{
	double cx = 0.5 * (width - 1), cy = 0.5 * (height - 1), f = focal_px;
	double ax = tilt_x_deg * M_PI / 180, ay = tilt_y_deg * M_PI / 180;
	double ca = cos(ax), sa = sin(ax), cb = cos(ay), sb = sin(ay);
	/* R = Ry(ax) Rx(ay) */
	double r[9] = { ca, sa * sb, sa * cb, 0, cb, -sb, -sa, ca * sb, ca * cb };
	double k[9] = { f, 0, cx, 0, f, cy, 0, 0, 1 };
	double ki[9] = { 1 / f, 0, -cx / f, 0, 1 / f, -cy / f, 0, 0, 1 };
	double t[9], p[9], m[9];
	struct dsr_homography ah;

	if (!(f > 0 && isfinite(f)) || !(fabs(tilt_x_deg) < 45 && fabs(tilt_y_deg) < 45))
		return dsr_seterr("beam angulation: needs a positive focal length and tilts "
				  "within +-45 degrees");
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			t[3 * i + j] = r[3 * i] * ki[j] + r[3 * i + 1] * ki[3 + j] + r[3 * i + 2] * ki[6 + j];
		}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			p[3 * i + j] = k[3 * i] * t[j] + k[3 * i + 1] * t[3 + j] + k[3 * i + 2] * t[6 + j];
	/* the beam stays aimed at the same point: the frame centre maps to itself */
	double pw = p[6] * cx + p[7] * cy + p[8];
	double du = cx - (p[0] * cx + p[1] * cy + p[2]) / pw;
	double dv = cy - (p[3] * cx + p[4] * cy + p[5]) / pw;

	for (int j = 0; j < 3; j++) {	/* T(du, dv) P */
		p[j] += du * p[6 + j];
		p[3 + j] += dv * p[6 + j];
	}
	dsr_homography_from_affine(a, &ah);
	for (int i = 0; i < 3; i++)	/* the repositioning after the projection */
		for (int j = 0; j < 3; j++)
			m[3 * i + j] = ah.h[3 * i] * p[j] + ah.h[3 * i + 1] * p[3 + j] +
				       ah.h[3 * i + 2] * p[6 + j];
	for (int i = 0; i < 9; i++)
		out->h[i] = m[i] / m[8];
	return 0;
}

struct dsr_image *dsr_phantom_render_h(const struct dsr_phantom *ph,
				       const struct dsr_homography *live_to_ref,
				       const struct dsr_exposure *exposure,
				       const struct dsr_lesion *lesion,
				       uint32_t bits, uint64_t noise_seed)
{
	struct render_job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	struct render_job base = { .ph = ph, .lesion = lesion, .noise_seed = noise_seed };
	unsigned n, started = 0;

	base.h = *live_to_ref;
	if (exposure)
		base.e = *exposure;
	else
		dsr_exposure_default(&base.e);
	if (check_inputs(&base.h, ph->width, ph->height, &base.e, lesion, bits))
		return NULL;
	base.im = dsr_image_new(ph->width, ph->height, bits);
	if (!base.im)
		return NULL;
	n = thread_count(ph->height);
	for (unsigned i = 0; i < n; i++) {
		jobs[i] = base;
		jobs[i].row0 = (uint32_t)((uint64_t)ph->height * i / n);
		jobs[i].row1 = (uint32_t)((uint64_t)ph->height * (i + 1) / n);
		if (i > 0 && pthread_create(&tid[i], NULL, render_rows, &jobs[i]) == 0)
			started |= 1u << i;
	}
	render_rows(&jobs[0]);
	for (unsigned i = 1; i < n; i++) {
		if (started & (1u << i))
			pthread_join(tid[i], NULL);
		else
			render_rows(&jobs[i]);	/* no thread: do its rows here */
	}
	return base.im;
}

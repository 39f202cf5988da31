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
	struct dsr_affine a;
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
			double u = j->a.a11 * lx + j->a.a12 * ly + j->a.tx;
			double v = j->a.a21 * lx + j->a.a22 * ly + j->a.ty;

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
static int check_inputs(const struct dsr_affine *a, const struct dsr_exposure *e,
			const struct dsr_lesion *l, uint32_t bits)
{
	if (bits < 8 || bits > 16)
		return dsr_seterr("phantom: %u bits is outside 8..16", bits);
	if (!(isfinite(a->a11) && isfinite(a->a12) && isfinite(a->tx) && isfinite(a->a21) &&
	      isfinite(a->a22) && isfinite(a->ty)))
		return dsr_seterr("phantom: the live->reference transform is not finite");
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
	struct render_job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	struct render_job base = { .ph = ph, .lesion = lesion, .noise_seed = noise_seed };
	unsigned n, started = 0;

	base.a = live_to_ref ? *live_to_ref : identity;
	if (exposure)
		base.e = *exposure;
	else
		dsr_exposure_default(&base.e);
	if (check_inputs(&base.a, &base.e, lesion, bits))
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

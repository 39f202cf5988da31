/*
 * noise.c - the phantom's sources of structure and of noise: an integer hash (so that
 * every random value is a pure function of its coordinates and seed, whatever order or
 * thread computes it) and gradient noise built on it.
 */
#include <math.h>

#include "sample_priv.h"

/* Three words to one, well mixed (murmur3's finaliser after a multiply-xor chain). */
uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = a * 0x9e3779b1u;

	h ^= b * 0x85ebca77u;
	h = (h << 13 | h >> 19) * 5u + 0xe6546b64u;
	h ^= c * 0xc2b2ae3du;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* 5th-order fade: value, first and second derivatives continuous across cells. */
static double fade(double t)
{
	return t * t * t * (t * (t * 6 - 15) + 10);
}

/* Dot product of the lattice point's gradient (one of 16 unit directions) with the
 * offset (dx, dy) from it. */
static double grad_dot(uint32_t seed, int32_t ix, int32_t iy, double dx, double dy)
{
	static const double dir[16][2] = {
		{ 1, 0 }, { 0.92388, 0.38268 }, { 0.70711, 0.70711 }, { 0.38268, 0.92388 },
		{ 0, 1 }, { -0.38268, 0.92388 }, { -0.70711, 0.70711 }, { -0.92388, 0.38268 },
		{ -1, 0 }, { -0.92388, -0.38268 }, { -0.70711, -0.70711 }, { -0.38268, -0.92388 },
		{ 0, -1 }, { 0.38268, -0.92388 }, { 0.70711, -0.70711 }, { 0.92388, -0.38268 },
	};
	const double *g = dir[hash3(seed, (uint32_t)ix, (uint32_t)iy) & 15];

	return g[0] * dx + g[1] * dy;
}

/* Positions are clamped to +-1e6 lattice cells so that the conversion to int32_t is
 * always defined (far outside any frame the texture just repeats its edge). */
double gradient_noise(uint32_t seed, double x, double y)
{
	double fx, fy;

	x = isfinite(x) ? fmin(fmax(x, -1e6), 1e6) : 0;
	y = isfinite(y) ? fmin(fmax(y, -1e6), 1e6) : 0;
	fx = floor(x);
	fy = floor(y);
	int32_t ix = (int32_t)fx, iy = (int32_t)fy;
	double dx = x - fx, dy = y - fy;
	double u = fade(dx), v = fade(dy);
	double n00 = grad_dot(seed, ix, iy, dx, dy);
	double n10 = grad_dot(seed, ix + 1, iy, dx - 1, dy);
	double n01 = grad_dot(seed, ix, iy + 1, dx, dy - 1);
	double n11 = grad_dot(seed, ix + 1, iy + 1, dx - 1, dy - 1);
	double a = n00 + u * (n10 - n00);
	double b = n01 + u * (n11 - n01);

	return a + v * (b - a);
}

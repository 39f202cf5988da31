/*
 * overlay.c - the colour overlay of gain (green) and loss (red) on the follow-up, and an
 * atomic save of it as RGB PNG (the PNG itself is lib/image's writer). See measure.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsr/error.h"
#include "dsr/measure.h"
#include "image/image_priv.h"
#include "measure_priv.h"

/* How strongly a significant pixel takes the colour (0..1), and how invalid ones dim. */
#define PAINT_ALPHA	0.65
#define INVALID_SCALE	0.35

/* Summed-area table of @v (w*h) into @s ((w+1)*(h+1)). */
static void integral(const double *v, uint32_t w, uint32_t h, double *s)
{
	memset(s, 0, (size_t)(w + 1) * sizeof(*s));
	for (uint32_t y = 0; y < h; y++) {
		double row = 0;

		s[(size_t)(y + 1) * (w + 1)] = 0;
		for (uint32_t x = 0; x < w; x++) {
			row += v[(size_t)y * w + x];
			s[(size_t)(y + 1) * (w + 1) + x + 1] = s[(size_t)y * (w + 1) + x + 1] + row;
		}
	}
}

/* Sum of the table over the box [x0, x1) x [y0, y1). */
static double box(const double *s, uint32_t w, long x0, long y0, long x1, long y1)
{
	size_t W = w + 1;

	return s[y1 * W + x1] - s[y0 * W + x1] - s[y1 * W + x0] + s[y0 * W + x0];
}

/* The follow-up's display window: its 0.5 % and 99.5 % levels. */
static void window(const struct dsr_image *im, double *lo, double *hi)
{
	size_t n = (size_t)im->width * im->height, acc = 0;
	uint32_t *hist = calloc(65536, sizeof(*hist));

	*lo = 0;
	*hi = (1u << im->bits) - 1;
	if (!hist)
		return;
	for (size_t i = 0; i < n; i++)
		hist[im->pixels[i]]++;
	int have_lo = 0;
	for (uint32_t v = 0; v < 65536; v++) {
		acc += hist[v];
		if (!have_lo && acc >= 0.005 * n) {
			*lo = v;
			have_lo = 1;
		}
		if (acc >= 0.995 * n) {
			*hi = v;
			break;
		}
	}
	if (*hi <= *lo)
		*hi = *lo + 1;
	free(hist);
}

static uint8_t clamp8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* Summed-area tables of the change (follow-up levels), of validity and of the noise
 * variance, over the valid pixels: tables[0..2]. */
static int change_tables(const struct dsr_measure_ctx *c, double *tables[3])
{
	uint32_t w = c->difference->width, h = c->difference->height;
	size_t n = (size_t)w * h;
	double *v = malloc(n * sizeof(*v)), *ok = malloc(n * sizeof(*ok)),
	       *var = malloc(n * sizeof(*var));
	int rc = 0;

	for (int t = 0; t < 3; t++)
		tables[t] = malloc((size_t)(w + 1) * (h + 1) * sizeof(**tables));
	if (!v || !ok || !var || !tables[0] || !tables[1] || !tables[2]) {
		rc = dsr_seterr("overlay: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ok[i] = !c->valid || c->valid[i];
		v[i] = ok[i] ? (c->difference->pixels[i] - c->midgrey) / c->gain : 0;
		var[i] = ok[i] ? measure_var_diff(c, i) : 0;
	}
	integral(v, w, h, tables[0]);
	integral(ok, w, h, tables[1]);
	integral(var, w, h, tables[2]);
out:
	free(v);
	free(ok);
	free(var);
	return rc;
}

/* Paint pixel @p (grey @g) in the colour of a gain or a loss. */
static void paint(uint8_t *p, double g, int gain)
{
	p[gain ? 1 : 0] = clamp8(g * (1 - PAINT_ALPHA) + 255 * PAINT_ALPHA);
	p[gain ? 0 : 1] = clamp8(g * (1 - PAINT_ALPHA));
	p[2] = clamp8(g * (1 - PAINT_ALPHA));
}

int dsr_overlay_make(const struct dsr_measure_ctx *c, double k, uint8_t **rgb,
		     struct dsr_overlay_info *info)
{
	const long half = DSR_OVERLAY_BOX / 2;
	double *t[3] = { NULL, NULL, NULL }, lo, hi;
	uint32_t w, h;

	memset(info, 0, sizeof(*info));
	*rgb = NULL;
	if (!c->difference || !c->live || c->difference->width != c->live->width ||
	    c->difference->height != c->live->height || !(c->gain > 0) || !(k > 0))
		return dsr_seterr("overlay: difference and follow-up must match, gain and k be > 0");
	w = c->live->width;
	h = c->live->height;
	*rgb = malloc((size_t)w * h * 3);
	if (!*rgb || change_tables(c, t) < 0) {
		free(*rgb);
		*rgb = NULL;
		for (int i = 0; i < 3; i++)
			free(t[i]);
		return dsr_seterr("overlay: out of memory");
	}
	/* the nominal threshold: a full box at the frame's RMS noise */
	double nv_all = box(t[1], w, 0, 0, w, h);
	info->threshold = nv_all > 0 ? k * sqrt(box(t[2], w, 0, 0, w, h) / nv_all) / DSR_OVERLAY_BOX : 0;
	window(c->live, &lo, &hi);
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			uint8_t *p = *rgb + 3 * i;
			double g = (c->live->pixels[i] - lo) / (hi - lo) * 255.0;

			if (c->valid && !c->valid[i]) {
				p[0] = p[1] = p[2] = clamp8(g * INVALID_SCALE);
				info->invalid_pixels++;
				continue;
			}
			p[0] = p[1] = p[2] = clamp8(g);
			long x0 = x > half ? x - half : 0, y0 = y > half ? y - half : 0;
			long x1 = x + half + 1 < w ? x + half + 1 : w, y1 = y + half + 1 < h ? y + half + 1 : h;
			double nv = box(t[1], w, x0, y0, x1, y1);
			/* a box mostly out of field is not judged */
			if (nv < DSR_OVERLAY_BOX * DSR_OVERLAY_BOX / 2.0)
				continue;
			double mean = box(t[0], w, x0, y0, x1, y1) / nv;
			/* the box mean's standard error from its pixels' noise */
			double thr = k * sqrt(box(t[2], w, x0, y0, x1, y1)) / nv;
			if (fabs(mean) <= thr)
				continue;
			paint(p, g, mean > 0);
			if (mean > 0)
				info->gain_pixels++;
			else
				info->loss_pixels++;
		}
	}
	for (int i = 0; i < 3; i++)
		free(t[i]);
	return 0;
}

/* ---- RGB PNG ------------------------------------------------------------------------ */

int dsr_rgb_save_png(const uint8_t *rgb, uint32_t w, uint32_t h, const char *path)
{
	char tmp[4096];
	FILE *f;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= sizeof(tmp))
		return dsr_seterr("%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return dsr_seterr("%s: cannot create a temporary file: %s", path, strerror(errno));
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(tmp);
		return dsr_seterr("%s: %s", path, strerror(errno));
	}
	rc = dsr_png_write_rgb(rgb, w, h, f, path);
	if (fclose(f) != 0 && rc == 0)
		rc = dsr_seterr("%s: write error: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = dsr_seterr("%s: cannot rename the temporary file into place: %s", path,
				strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}

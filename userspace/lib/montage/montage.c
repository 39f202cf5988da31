/*
 * montage.c - dsr_montage(): six labelled tiles on a dark background.
 *
 *   REFERENCE        | LIVE                  | ALIGNED REFERENCE
 *   DIFFERENCE       | CHECKERBOARD          | text panel (transform, quality, ...)
 *
 * Every tile is the frame reduced by an integer box factor to at most TILE_MAX pixels.
 * Reference and live are each windowed to their own 0.5..99.5 % grey range; the aligned
 * reference uses the live frame's window (after the LUT they share one grey scale), and
 * so do both halves of the checkerboard. The difference is shown about midgrey,
 * stretched so that the largest changes reach black and white, and says by how much.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/montage.h"
#include "montage/montage_priv.h"


#define TEXT_LINE_H	(FONT_HEIGHT * TEXT_SCALE + 6)	/* text panel line pitch */

/* A grey window: display = 255 * (v - lo) / (hi - lo), clamped. */
struct window {
	double lo, hi;
};

/* The 0.5 % and 99.5 % points of the grey levels, so a few hot pixels do not flatten
 * the picture. */
static int percentile_window(const struct dsr_image *im, struct window *w)
{
	size_t n = (size_t)im->width * im->height, cum = 0;
	uint32_t *hist = calloc(65536, sizeof(uint32_t));
	int lo = -1, hi = 0;

	if (!hist)
		return dsr_seterr("montage: out of memory");
	for (size_t i = 0; i < n; i++)
		hist[im->pixels[i]]++;
	for (int v = 0; v < 65536; v++) {
		cum += hist[v];
		if (lo < 0 && cum > n / 200)
			lo = v;
		if (cum <= n - n / 200)
			hi = v;
	}
	free(hist);
	w->lo = lo < 0 ? 0 : lo;
	w->hi = hi > w->lo ? hi : w->lo + 1;
	return 0;
}

static uint16_t to_display(double v, const struct window *w)
{
	double d = 255.0 * (v - w->lo) / (w->hi - w->lo);

	return (uint16_t)(d <= 0 ? 0 : d >= 255 ? 255 : lround(d));
}

/* Frame pixel value at display pixel (x, y) of a tile reduced by @f: the box mean. */
static double box_mean(const struct dsr_image *im, int f, int x, int y)
{
	double s = 0;

	for (int dy = 0; dy < f; dy++)
		for (int dx = 0; dx < f; dx++)
			s += im->pixels[(size_t)(y * f + dy) * im->width + x * f + dx];
	return s / (f * f);
}

/* Place one tile with its label above it: @a through window @w, or, with @b and a
 * square size @check, a checkerboard of @a and @b. Where @outside (frame-sized, or
 * NULL) marks pixels that had no reference to compare with, the tile is hatched so that
 * nobody reads the edge replication there as a change. */
static void draw_tile(struct dsr_image *out, int ox, int oy, int f, const char *label,
		      const struct dsr_image *a, const struct dsr_image *b,
		      const struct window *w, int check, const uint8_t *outside)
{
	int tw = (int)a->width / f, th = (int)a->height / f;

	font_draw(out, ox, oy + 2, TEXT_SCALE, TEXT_GREY, label);
	oy += LABEL_H;
	for (int y = 0; y < th; y++)
		for (int x = 0; x < tw; x++) {
			const struct dsr_image *src = a;
			uint16_t v;

			if (b && check > 0 && (((x * f) / check + (y * f) / check) & 1))
				src = b;
			if (outside && outside[(size_t)(y * f) * a->width + x * f])
				v = ((x + y) / 4) & 1 ? BACKGROUND + 30 : BACKGROUND;
			else
				v = to_display(box_mean(src, f, x, y), w);
			out->pixels[(size_t)(oy + y) * out->width + ox + x] = v;
		}
}

/* draw_tile() without a label, the picture at (ox, oy). */
static void draw_tile_scaled(struct dsr_image *out, int ox, int oy, int f,
			     const struct dsr_image *a, const struct dsr_image *b,
			     const struct window *w, const uint8_t *outside)
{
	draw_tile(out, ox, oy - LABEL_H, f, "", a, b, w, 0, outside);
}

/* How far to stretch the difference about midgrey: six robust standard deviations
 * (1.4826 x the median absolute deviation) of the unchanged background, so noise fills
 * the grey range and a real change stands out black or white; at least 4 grey levels.
 * The median ignores the few pixels that changed and the strip without a reference. */
static double difference_span(const struct dsr_image *diff, uint32_t midgrey,
			      const uint8_t *outside)
{
	size_t n = (size_t)diff->width * diff->height, cnt = 0, cum = 0;
	uint32_t *hist = calloc(65536, sizeof(uint32_t));
	double span = 4;

	if (!hist)
		return 256;
	for (size_t i = 0; i < n; i++)
		if (!outside || !outside[i]) {
			hist[abs((int)diff->pixels[i] - (int)midgrey)]++;
			cnt++;
		}
	for (int v = 0; v < 65536 && cnt; v++) {
		cum += hist[v];
		if (2 * cum >= cnt) {
			span = fmax(6 * 1.4826 * v, 4);
			break;
		}
	}
	free(hist);
	return span;
}

/* Lines of @text (separated by '\n') from (ox, y) down, clipped to @tw pixels. */
static void draw_caption_at(struct dsr_image *out, int ox, int y, int tw, const char *caption)
{
	int line_h = TEXT_LINE_H;
	int max_chars = tw / (FONT_ADVANCE * TEXT_SCALE);
	char buf[256];

	while (caption && *caption) {
		const char *nl = strchr(caption, '\n');
		size_t len = nl ? (size_t)(nl - caption) : strlen(caption);

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		if ((int)len > max_chars)
			len = (size_t)max_chars;
		memcpy(buf, caption, len);
		buf[len] = 0;
		font_draw(out, ox, y, TEXT_SCALE, TEXT_GREY, buf);
		y += line_h;
		caption = nl ? nl + 1 : NULL;
	}
}

/* The text panel: its title, then one line of @caption per row. */
static void draw_caption(struct dsr_image *out, int ox, int oy, int tw, const char *caption)
{
	font_draw(out, ox, oy + 2, TEXT_SCALE, TEXT_GREY, "REGISTRATION");
	draw_caption_at(out, ox, oy + LABEL_H, tw, caption);
}

void montage_layout(uint32_t w, uint32_t h, struct montage_layout *l)
{
	l->f = (int)(((w > h ? w : h) + TILE_MAX - 1) / TILE_MAX);
	l->tw = (int)w / l->f;
	l->th = (int)h / l->f;
	/* at least wide enough for the labels and the text panel */
	l->cw = l->tw > 34 * FONT_ADVANCE * TEXT_SCALE ? l->tw : 34 * FONT_ADVANCE * TEXT_SCALE;
	l->width = (uint32_t)(3 * l->cw + 4 * MARGIN);
	l->height = (uint32_t)(2 * (l->th + LABEL_H) + 3 * MARGIN);
}

void montage_tile_origin(const struct montage_layout *l, enum montage_tile t, int *x, int *y)
{
	int col = (int)t % 3, row = (int)t / 3;

	*x = MARGIN + col * (l->cw + MARGIN);
	*y = MARGIN + row * (l->th + LABEL_H + MARGIN);
}

/* How to read the tiles: the lines of the legend (the last only when hatching shows). */
static const char *const legend[] = {
	"HOW TO READ:",
	"DIFFERENCE: MIDGREY = NO CHANGE,",
	"  DARK = LESS DENSE AT FOLLOW-UP",
	"CHECKERBOARD: EDGES RUN STRAIGHT",
	"  ACROSS SQUARES WHEN REGISTERED",
	"HATCHED: NO REFERENCE THERE",
};
#define LEGEND_LINES(hatched) ((int)(sizeof(legend) / sizeof(legend[0])) - ((hatched) ? 0 : 1))

/* Lines in @caption ('\n'-separated, a final newline not counting). */
static int caption_lines(const char *caption)
{
	int n = 0;

	for (const char *c = caption; c && *c; c++)
		if (*c == '\n' || c[1] == 0)
			n++;
	return n;
}

/* The legend from @y down. */
static void draw_legend(struct dsr_image *out, int ox, int y, int tw, int hatched)
{
	char text[512] = "";

	for (int i = 0; i < LEGEND_LINES(hatched); i++) {
		strcat(text, legend[i]);
		strcat(text, "\n");
	}
	draw_caption_at(out, ox, y, tw, text);
}

/* dsr_montage() with the pixels that had no reference marked (frame-sized, or NULL). */
static struct dsr_image *montage_draw(const struct dsr_image *ref, const struct dsr_image *live,
				      const struct dsr_image *aligned, const struct dsr_image *diff,
				      uint32_t midgrey, const char *caption, const uint8_t *outside)
{
	const struct dsr_image *all[4] = { ref, live, aligned, diff };
	uint32_t w = ref ? ref->width : 0, h = ref ? ref->height : 0;
	struct window wref, wlive, wdiff;
	char label[96];

	for (int i = 0; i < 4; i++)
		if (!all[i] || all[i]->width != w || all[i]->height != h) {
			dsr_seterr("montage: the four frames must exist and be the same size");
			return NULL;
		}
	if (percentile_window(ref, &wref) || percentile_window(live, &wlive))
		return NULL;
	struct montage_layout L;
	int x, y;

	montage_layout(w, h, &L);
	/* the text panel is caption, a blank line and the legend: grow the picture when a
	 * small frame leaves the panel shorter than that */
	int text_lines = caption_lines(caption) + 1 + LEGEND_LINES(outside != NULL);

	montage_tile_origin(&L, TILE_TEXT, &x, &y);
	if ((uint32_t)(y + LABEL_H + text_lines * TEXT_LINE_H + MARGIN) > L.height)
		L.height = (uint32_t)(y + LABEL_H + text_lines * TEXT_LINE_H + MARGIN);
	struct dsr_image *out = dsr_image_new(L.width, L.height, 8);

	if (!out)
		return NULL;
	for (size_t i = 0; i < (size_t)L.width * L.height; i++)
		out->pixels[i] = BACKGROUND;
	double span = difference_span(diff, midgrey, outside);

	wdiff.lo = midgrey - span;
	wdiff.hi = midgrey + span;
	montage_tile_origin(&L, TILE_REFERENCE, &x, &y);
	draw_tile(out, x, y, L.f, "REFERENCE (BASELINE)", ref, NULL, &wref, 0, NULL);
	montage_tile_origin(&L, TILE_LIVE, &x, &y);
	draw_tile(out, x, y, L.f, "LIVE (FOLLOW-UP)", live, NULL, &wlive, 0, NULL);
	montage_tile_origin(&L, TILE_ALIGNED, &x, &y);
	draw_tile(out, x, y, L.f, "ALIGNED REFERENCE", aligned, NULL, &wlive, 0, outside);
	snprintf(label, sizeof(label), "DIFFERENCE (BLACK/WHITE: +-%.0f)", span);
	montage_tile_origin(&L, TILE_DIFFERENCE, &x, &y);
	draw_tile(out, x, y, L.f, label, diff, NULL, &wdiff, 0, outside);
	montage_tile_origin(&L, TILE_CHECKER, &x, &y);
	draw_tile(out, x, y, L.f, "CHECKERBOARD ALIGNED/LIVE", aligned, live, &wlive,
		  (int)((w > h ? w : h) / CHECKS), outside);
	montage_tile_origin(&L, TILE_TEXT, &x, &y);
	draw_caption(out, x, y, L.cw, caption);
	draw_legend(out, x, y + LABEL_H + (caption_lines(caption) + 1) * TEXT_LINE_H, L.cw,
		    outside != NULL);
	return out;
}

struct dsr_image *dsr_montage(const struct dsr_image *ref, const struct dsr_image *live,
			      const struct dsr_image *aligned, const struct dsr_image *diff,
			      uint32_t midgrey, const char *caption)
{
	return montage_draw(ref, live, aligned, diff, midgrey, caption, NULL);
}

/* Live pixels whose reference sample lies outside the reference (hatched): the model's
 * field mask inverted, the same pixels every written difference marks. */
static uint8_t *outside_map(const struct dsr_params *p)
{
	size_t n = (size_t)p->width * p->height;
	uint8_t *m = malloc(n);

	if (!m)
		return NULL;
	dsr_model_field_mask(p, m);
	for (size_t i = 0; i < n; i++)
		m[i] = !m[i];
	return m;
}

struct dsr_image *dsr_montage_pair(const struct dsr_image *ref, const struct dsr_image *live,
				   const struct dsr_params *p, const uint16_t *lut,
				   const char *caption)
{
	struct dsr_params q = *p;
	struct dsr_image *aligned, *diff, *m = NULL;

	if (ref->width != p->width || ref->height != p->height || live->width != p->width ||
	    live->height != p->height) {
		dsr_seterr("montage: frames are not %ux%u as the parameters say", p->width,
			   p->height);
		return NULL;
	}
	aligned = dsr_image_new(p->width, p->height, p->pixel_bits);
	diff = dsr_image_new(p->width, p->height, p->pixel_bits);
	uint8_t *outside = outside_map(p);

	if (aligned && diff && outside) {
		q.mode = DSR_MODE_WARP;
		dsr_model_frame(&q, lut, ref->pixels, live->pixels, aligned->pixels);
		q.mode = DSR_MODE_SUBTRACT;
		dsr_model_frame(&q, lut, ref->pixels, live->pixels, diff->pixels);
		m = montage_draw(ref, live, aligned, diff, p->midgrey, caption, outside);
	} else {
		dsr_seterr("montage: out of memory");
	}
	free(outside);
	dsr_image_free(aligned);
	dsr_image_free(diff);
	return m;
}

/* ---- the series montage ------------------------------------------------------------ */

#define SERIES_SCALE	1	/* font scale of labels and header */
#define SERIES_LINE_H	(FONT_HEIGHT * SERIES_SCALE + 5)

/* Lines of @text drawn from (x, y), each cut to @max_chars; returns the y below. */
static int series_text(struct dsr_image *out, int x, int y, int max_chars, const char *text)
{
	char buf[256];

	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		if ((int)len > max_chars)
			len = (size_t)max_chars;
		memcpy(buf, text, len);
		buf[len] = 0;
		font_draw(out, x, y, SERIES_SCALE, TEXT_GREY, buf);
		y += SERIES_LINE_H;
		text = nl ? nl + 1 : NULL;
	}
	return y;
}

/* A failed member's tile: dark, FAILED, and the reason wrapped to the tile's width. */
static void series_failed_tile(struct dsr_image *out, int ox, int oy, int tw, int th,
			       const char *why)
{
	int max = tw / (FONT_ADVANCE * SERIES_SCALE), y = oy + 8;
	char line[256];

	for (int yy = 0; yy < th; yy++)
		for (int xx = 0; xx < tw; xx++)
			out->pixels[(size_t)(oy + yy) * out->width + ox + xx] = 15;
	font_draw(out, ox + 4, y, 2, TEXT_GREY, "FAILED");
	y += FONT_HEIGHT * 2 + 8;
	for (const char *p = why ? why : "unknown"; *p && y < oy + th - SERIES_LINE_H && max > 1;) {
		size_t len = strlen(p), cut = len < (size_t)(max - 1) ? len : (size_t)(max - 1);

		if (cut < len)	/* break at a space when there is one */
			for (size_t k = cut; k > cut / 2; k--)
				if (p[k] == ' ') {
					cut = k;
					break;
				}
		memcpy(line, p, cut);
		line[cut] = 0;
		font_draw(out, ox + 4, y, SERIES_SCALE, TEXT_GREY, line);
		y += SERIES_LINE_H;
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* The out-of-field marks of @valid as an "outside" map for draw_tile (1 = outside). */
static uint8_t *outside_of(const uint8_t *valid, size_t n)
{
	uint8_t *o;

	if (!valid)
		return NULL;
	o = malloc(n);
	if (o)
		for (size_t i = 0; i < n; i++)
			o[i] = !valid[i];
	return o;
}

struct dsr_image *dsr_montage_series(const struct dsr_image *ref, const char *ref_label,
				     const struct dsr_montage_member *m, size_t n,
				     const char *header, uint32_t tile_max)
{
	uint32_t w = ref->width, h = ref->height;
	int f = (int)(((w > h ? w : h) + tile_max - 1) / tile_max);
	int tw = (int)w / f, th = (int)h / f, label_h = SERIES_LINE_H + 4;
	int cw = tw > 40 * FONT_ADVANCE ? tw : 40 * FONT_ADVANCE;
	int header_lines = header ? caption_lines(header) : 0;
	int top = MARGIN + header_lines * SERIES_LINE_H + MARGIN;
	struct window wref;
	struct dsr_image *out;

	if (f < 1)
		f = 1;
	if (percentile_window(ref, &wref))
		return NULL;
	out = dsr_image_new((uint32_t)(3 * cw + 4 * MARGIN),
			    (uint32_t)(top + (int)n * (th + label_h + MARGIN)), 8);
	if (!out)
		return NULL;
	for (size_t i = 0; i < (size_t)out->width * out->height; i++)
		out->pixels[i] = BACKGROUND;
	series_text(out, MARGIN, MARGIN, (int)(out->width - 2 * MARGIN) / FONT_ADVANCE, header);
	for (size_t k = 0; k < n; k++) {
		int y = top + (int)k * (th + label_h + MARGIN), x1 = 2 * MARGIN + cw,
		    x2 = 3 * MARGIN + 2 * cw, maxc = cw / FONT_ADVANCE;
		char label[160];

		series_text(out, MARGIN, y, maxc, ref_label ? ref_label : "REFERENCE (BASELINE)");
		draw_tile_scaled(out, MARGIN, y + label_h, f, ref, NULL, &wref, NULL);
		series_text(out, x1, y, maxc, m[k].label ? m[k].label : "FOLLOW-UP");
		if (m[k].live && m[k].live->width == w && m[k].live->height == h) {
			struct window wl;

			if (percentile_window(m[k].live, &wl) == 0)
				draw_tile_scaled(out, x1, y + label_h, f, m[k].live, NULL, &wl, NULL);
		}
		if (!m[k].diff || m[k].diff->width != w || m[k].diff->height != h) {
			series_text(out, x2, y, maxc, "DIFFERENCE: NONE");
			series_failed_tile(out, x2, y + label_h, tw, th, m[k].failure);
			continue;
		}
		uint8_t *outside = outside_of(m[k].valid, (size_t)w * h);
		double span = difference_span(m[k].diff, m[k].midgrey, outside);
		struct window wd = { m[k].midgrey - span, m[k].midgrey + span };

		snprintf(label, sizeof(label), "DIFFERENCE (BLACK/WHITE +-%.0f)", span);
		series_text(out, x2, y, maxc, label);
		draw_tile_scaled(out, x2, y + label_h, f, m[k].diff, NULL, &wd, outside);
		free(outside);
	}
	return out;
}

/*
 * region.c - measurement regions: parsed from the command line or a JSON region file,
 * rasterised into a pixel mask clipped to the frame and the valid pixels. See measure.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dsr/error.h"
#include "dsr/measure.h"

/* Parse up to @max comma-separated finite numbers; returns how many, or -1. */
static int parse_list(const char *s, double *v, int max)
{
	int n = 0;
	const char *p = s;

	for (;;) {
		char *end;

		if (n == max)
			return -1;
		v[n] = strtod(p, &end);
		if (end == p || !isfinite(v[n]))
			return -1;
		n++;
		p = end;
		if (!*p)
			return n;
		if (*p != ',')
			return -1;
		p++;
	}
}

static int check_circle(struct dsr_region *r, const char *what)
{
	if (!(r->r > 0))
		return dsr_seterr("%s: radius %g must be > 0", what, r->r);
	if (fabs(r->cx) > 1e6 || fabs(r->cy) > 1e6 || r->r > 1e6)
		return dsr_seterr("%s: coordinates out of range", what);
	return 0;
}

static int check_polygon(struct dsr_region *r, const char *what)
{
	if (r->n < 3)
		return dsr_seterr("%s: a polygon needs at least 3 vertices, got %zu", what, r->n);
	for (size_t i = 0; i < r->n; i++)
		if (fabs(r->x[i]) > 1e6 || fabs(r->y[i]) > 1e6)
			return dsr_seterr("%s: vertex %zu out of range", what, i + 1);
	return 0;
}

int dsr_region_parse(const char *spec, struct dsr_region *r)
{
	double v[2 * DSR_REGION_MAX_VERTICES];
	int n;

	memset(r, 0, sizeof(*r));
	if (!strncmp(spec, "circle:", 7)) {
		r->kind = DSR_REGION_CIRCLE;
		if (parse_list(spec + 7, v, 3) != 3)
			return dsr_seterr("region '%s': expected circle:X,Y,R", spec);
		r->cx = v[0];
		r->cy = v[1];
		r->r = v[2];
		return check_circle(r, spec);
	}
	if (!strncmp(spec, "polygon:", 8)) {
		r->kind = DSR_REGION_POLYGON;
		n = parse_list(spec + 8, v, 2 * DSR_REGION_MAX_VERTICES);
		if (n < 0 || n % 2)
			return dsr_seterr("region '%s': expected polygon:X1,Y1,X2,Y2,... (pairs, at most %d)",
					  spec, DSR_REGION_MAX_VERTICES);
		r->n = (size_t)n / 2;
		for (size_t i = 0; i < r->n; i++) {
			r->x[i] = v[2 * i];
			r->y[i] = v[2 * i + 1];
		}
		return check_polygon(r, spec);
	}
	if (strchr(spec, ':') && !strchr(spec, '/') && !strchr(spec, '.'))
		return dsr_seterr("region '%s': expected circle:X,Y,R, polygon:X1,Y1,... or a region file",
				  spec);
	return dsr_region_load(spec, r);
}

/* A JSON number into @v, refusing anything else. */
static int json_num(json_t *j, double *v)
{
	if (!json_is_number(j))
		return -1;
	*v = json_number_value(j);
	return isfinite(*v) ? 0 : -1;
}

static int load_circle(json_t *c, struct dsr_region *r, const char *path)
{
	r->kind = DSR_REGION_CIRCLE;
	if (!json_is_array(c) || json_array_size(c) != 3 || json_num(json_array_get(c, 0), &r->cx) ||
	    json_num(json_array_get(c, 1), &r->cy) || json_num(json_array_get(c, 2), &r->r))
		return dsr_seterr("%s: \"circle\" must be [X, Y, R]", path);
	return check_circle(r, path);
}

static int load_polygon(json_t *p, struct dsr_region *r, const char *path)
{
	r->kind = DSR_REGION_POLYGON;
	if (!json_is_array(p) || json_array_size(p) > DSR_REGION_MAX_VERTICES)
		return dsr_seterr("%s: \"polygon\" must be a list of at most %d [X, Y] vertices", path,
				  DSR_REGION_MAX_VERTICES);
	r->n = json_array_size(p);
	for (size_t i = 0; i < r->n; i++) {
		json_t *v = json_array_get(p, i);

		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    json_num(json_array_get(v, 0), &r->x[i]) || json_num(json_array_get(v, 1), &r->y[i]))
			return dsr_seterr("%s: polygon vertex %zu must be [X, Y]", path, i + 1);
	}
	return check_polygon(r, path);
}

int dsr_region_load(const char *path, struct dsr_region *r)
{
	json_error_t err;
	json_t *root, *c, *p, *l;
	int rc;

	memset(r, 0, sizeof(*r));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return dsr_seterr("region file %s: %s (line %d)", path, err.text, err.line);
	c = json_object_get(root, "circle");
	p = json_object_get(root, "polygon");
	if (!json_is_object(root) || !!c == !!p)
		rc = dsr_seterr("region file %s: needs exactly one of \"circle\" or \"polygon\"", path);
	else
		rc = c ? load_circle(c, r, path) : load_polygon(p, r, path);
	l = json_object_get(root, "label");
	if (rc == 0 && l) {
		if (!json_is_string(l))
			rc = dsr_seterr("region file %s: \"label\" must be a string", path);
		else
			snprintf(r->label, sizeof(r->label), "%s", json_string_value(l));
	}
	json_decref(root);
	return rc;
}

/* Even-odd test of the pixel centre (@px, @py) against the polygon. */
static int in_polygon(const struct dsr_region *r, double px, double py)
{
	int in = 0;

	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
		if ((r->y[i] > py) != (r->y[j] > py) &&
		    px < (r->x[j] - r->x[i]) * (py - r->y[i]) / (r->y[j] - r->y[i]) + r->x[i])
			in = !in;
	}
	return in;
}

static int in_region(const struct dsr_region *r, double px, double py)
{
	if (r->kind == DSR_REGION_CIRCLE)
		return (px - r->cx) * (px - r->cx) + (py - r->cy) * (py - r->cy) <= r->r * r->r;
	return in_polygon(r, px, py);
}

/* The region's bounding box, unclipped. */
static void bounds(const struct dsr_region *r, double *x0, double *y0, double *x1, double *y1)
{
	if (r->kind == DSR_REGION_CIRCLE) {
		*x0 = r->cx - r->r;
		*x1 = r->cx + r->r;
		*y0 = r->cy - r->r;
		*y1 = r->cy + r->r;
		return;
	}
	*x0 = *x1 = r->x[0];
	*y0 = *y1 = r->y[0];
	for (size_t i = 1; i < r->n; i++) {
		*x0 = fmin(*x0, r->x[i]);
		*x1 = fmax(*x1, r->x[i]);
		*y0 = fmin(*y0, r->y[i]);
		*y1 = fmax(*y1, r->y[i]);
	}
}

/* The region's geometric area (pixels). */
static double area(const struct dsr_region *r)
{
	double a = 0;

	if (r->kind == DSR_REGION_CIRCLE)
		return M_PI * r->r * r->r;
	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
		a += r->x[j] * r->y[i] - r->x[i] * r->y[j];
	return fabs(a) / 2;
}

size_t dsr_region_mask(const struct dsr_region *r, uint32_t w, uint32_t h, const uint8_t *valid,
		       uint8_t *mask, size_t *full)
{
	double x0, y0, x1, y1;
	size_t kept = 0, inframe = 0;

	memset(mask, 0, (size_t)w * h);
	bounds(r, &x0, &y0, &x1, &y1);
	int inside = x0 >= 0 && y0 >= 0 && x1 <= w - 1.0 && y1 <= h - 1.0;
	/* only the part of the box inside the frame is scanned */
	long ya = (long)fmax(ceil(y0), 0), yb = (long)fmin(floor(y1), h - 1.0);
	long xa = (long)fmax(ceil(x0), 0), xb = (long)fmin(floor(x1), w - 1.0);
	for (long py = ya; py <= yb; py++) {
		for (long px = xa; px <= xb; px++) {
			if (!in_region(r, (double)px, (double)py))
				continue;
			inframe++;
			size_t i = (size_t)py * w + (size_t)px;
			if (valid && !valid[i])
				continue;
			mask[i] = 1;
			kept++;
		}
	}
	/* beyond the frame there are no pixels to count: the area stands in for them */
	if (full)
		*full = inside ? inframe : (size_t)fmax((double)inframe, nearbyint(area(r)));
	return kept;
}

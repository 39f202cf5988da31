/*
 * phantom.c - the scene of a synthetic intra-oral (periapical) radiograph of the lower
 * jaw, as path lengths through each tissue along the ray at any point.
 *
 * Everything is a continuous function of the position, so that a frame rendered
 * through any transform samples exactly the same scene: the ground truth of a
 * registration is then the transform itself, with no resampling in between.
 *
 * The anatomy, in the sensor plane (x right, y down, millimetres):
 *  - 2 or 3 teeth standing crown up, each with an enamel cap over dentin, a pulp
 *    chamber narrowing into a root canal, and a tapering root with a rounded apex. A
 *    tooth is a stack of elliptic cross-sections: at height t along its axis its
 *    outline has half width w(t), and a ray at lateral offset s crosses a chord of
 *    2 * depth * sqrt(w^2 - s^2). Enamel, dentin and pulp are nested outlines, so
 *    their paths are differences of chords.
 *  - alveolar bone below a wavy crest line, of bucco-lingual thickness bone_depth,
 *    with each root's socket (root plus periodontal ligament space) carved out and
 *    lined by the lamina dura (a shell of cortical bone, which projects as the bright
 *    line along the root that dentists look for); a thin cortical band along the crest.
 *  - a trabecular texture modulating the bone: two superimposed networks of struts made
 *    from ridged gradient noise at two scales, slightly stretched vertically.
 *  - soft tissue (cheek, tongue, gingiva) thickening towards the bottom of the image
 *    with a slow random variation.
 * A lesion scales the mineral (enamel, dentin and bone) inside a smooth-edged disc.
 */
#include <math.h>
#include <stdlib.h>

#include "dsr/error.h"
#include "sample_priv.h"

/* 0 below 0, 1 above 1, smooth (C1) in between. */
static double smoothstep(double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	return x * x * (3 - 2 * x);
}

/* Chord of an ellipse of half width w (and half depth depth * w) at lateral offset s. */
static double chord(double w, double s, double depth)
{
	double q = w * w - s * s;

	return q > 0 ? 2 * depth * sqrt(q) : 0;
}

/* Elliptic profile for the rounded occlusal end of a crown: 1 at z = 0, 0 at z = 1. */
static double crown_round(double z)
{
	if (z <= 0)
		return 1;
	if (z >= 1)
		return 0;
	return sqrt(1 - z * z);
}

/* Fractions of the tooth length at which the outline changes character. */
#define T_CROWN_MAX	0.16	/* widest part of the crown */
#define T_CEJ		0.33	/* cemento-enamel junction: enamel ends, root begins */
#define T_ROOF		0.22	/* pulp chamber roof */
#define T_CHAMBER	0.36	/* pulp chamber floor: the canal starts */
#define T_CANAL		0.44	/* canal at its own width */
#define T_CANAL_END	0.97	/* canal closes at the apical foramen */

/* Outer half width of a tooth at height t (mm from the occlusal surface). */
static double tooth_outer(const struct phantom_tooth *th, double t)
{
	double L = th->len, h1 = T_CROWN_MAX * L, hc = T_CEJ * L;
	double wa = 0.2 * th->wcej;	/* half width at the apex, also its rounding radius */

	if (t <= 0)
		return 0;
	if (t < h1)
		return th->wc * crown_round((h1 - t) / h1);
	if (t < hc)
		return th->wc - (th->wc - th->wcej) * smoothstep((t - h1) / (hc - h1));
	if (t < L) {
		double q = (t - hc) / (L - hc);

		return th->wcej * (1 - 0.8 * q * sqrt(q));
	}
	if (t < L + wa)
		return wa * sqrt(1 - (t - L) * (t - L) / (wa * wa));
	return 0;
}

/* Half width of the dentin (everything inside the enamel). */
static double tooth_dentin(const struct phantom_tooth *th, double t)
{
	double L = th->len, h1 = T_CROWN_MAX * L, hc = T_CEJ * L, e = th->enamel;

	if (t <= e)
		return 0;
	if (t < h1)
		return (th->wc - e) * crown_round((h1 - t) / (h1 - e));
	if (t < hc)
		return tooth_outer(th, t) - e * (1 - smoothstep((t - h1) / (hc - h1)));
	return tooth_outer(th, t);
}

/* Half width of the pulp: chamber with a rounded roof, then a tapering canal. */
static double tooth_pulp(const struct phantom_tooth *th, double t)
{
	double L = th->len, chamber = 0.33 * th->wcej, canal = 0.09 * th->wcej;
	double roof = T_ROOF * L, roof_h = 0.04 * L;

	if (t <= roof || t >= T_CANAL_END * L)
		return 0;
	if (t < roof + roof_h)
		return chamber * sqrt(smoothstep((t - roof) / roof_h));
	if (t < T_CHAMBER * L)
		return chamber;
	if (t < T_CANAL * L)
		return chamber + (canal - chamber) * smoothstep((t - T_CHAMBER * L) /
								((T_CANAL - T_CHAMBER) * L));
	{
		double q = (t - T_CANAL * L) / ((T_CANAL_END - T_CANAL) * L);

		return canal * (1 - q * q);
	}
}

/* Half width of the socket in the bone widened by @margin: the root plus the ligament
 * space (margin = pdl), or the outside of the lamina dura (margin = pdl + lamina).
 * Closed smoothly over the apex and faded in at the crown, so it stays continuous. */
static double tooth_socket(const struct phantom_tooth *th, double t, double margin)
{
	double L = th->len, r = 0.2 * th->wcej + margin;

	if (t <= 0)
		return 0;
	if (t < L)
		return tooth_outer(th, t) + margin * smoothstep(t / (0.05 * L));
	if (t < L + r)
		return sqrt(r * r - (t - L) * (t - L));
	return 0;
}

/* Height of the cusp relief above the crown's reference surface at offset s; fades
 * out towards the widest part of the crown. */
static double cusp_shift(const struct phantom_tooth *th, double s, double t)
{
	double fade = 1 - smoothstep(t / (T_CROWN_MAX * th->len));

	return fade > 0 ? fade * th->cusp * (0.5 - 0.5 * cos(2 * M_PI * s / th->wc)) : 0;
}

/* One tooth's contribution to the paths, and its socket and lamina dura chords. */
static void tooth_paths(const struct dsr_phantom *ph, const struct phantom_tooth *th,
			double x, double y, struct phantom_paths *p, double *socket,
			double *lamina)
{
	double dx = x - th->cx, dy = y - th->top;
	double t = dx * th->sin_t + dy * th->cos_t;	/* along the axis, rootwards */
	double s = dx * th->cos_t - dy * th->sin_t;	/* across it */
	double tc, outer, dentin, pulp, sock, sock_ld;

	if (t < -th->cusp - 1 || t > th->len + th->wcej + ph->pdl + ph->lamina + 1 ||
	    fabs(s) > th->wc + ph->pdl + ph->lamina + 1)
		return;
	tc = t + cusp_shift(th, s, t);
	outer = chord(tooth_outer(th, tc), s, th->depth);
	dentin = chord(tooth_dentin(th, tc), s, th->depth);
	pulp = chord(tooth_pulp(th, t), s, th->depth);
	p->enamel += outer - dentin;
	p->dentin += dentin - pulp;
	p->pulp += pulp;
	sock = chord(tooth_socket(th, t, ph->pdl), s, th->depth);
	sock_ld = chord(tooth_socket(th, t, ph->pdl + ph->lamina), s, th->depth);
	*socket += sock;
	*lamina += sock_ld - sock;
}

/* Ridged noise: 1 on the zero lines of the noise, falling off on either side, sharpened
 * so that the ridges form thin struts around marrow spaces. */
static double ridges(uint32_t seed, double x, double y)
{
	double r = 1 - fabs(gradient_noise(seed, x, y)) * 2.2;

	return r > 0 ? r * r * r : 0;
}

/* Relative density of the trabecular bone at (x, y) mm, in [0.62, 1]. */
static double trabecular_density(const struct dsr_phantom *ph, double x, double y)
{
	double coarse = ridges(ph->noise_seed[0], x / 1.1, y / 1.6);
	double fine = ridges(ph->noise_seed[1], x / 0.45 + 17.3, y / 0.6 - 4.1);
	double net = 0.45 * coarse + 0.7 * fine;

	return 0.62 + 0.38 * (net > 1 ? 1 : net);
}

/* Mineral scale of a lesion at (u, v) pixels: 1 - loss inside the disc, 1 outside,
 * a raised-cosine edge a quarter of the radius wide (at least 1.5 pixels). */
static double lesion_scale(const struct dsr_lesion *l, double u, double v)
{
	double r, edge, w;

	if (!l || l->radius <= 0 || l->loss == 0)
		return 1;
	r = hypot(u - l->x, v - l->y);
	edge = fmax(0.25 * l->radius, 1.5);
	if (r <= l->radius - edge / 2)
		w = 1;
	else if (r >= l->radius + edge / 2)
		w = 0;
	else
		w = 0.5 + 0.5 * cos(M_PI * (r - (l->radius - edge / 2)) / edge);
	return 1 - l->loss * w;
}

void phantom_paths(const struct dsr_phantom *ph, double u, double v,
		   const struct dsr_lesion *lesion, struct phantom_paths *p)
{
	double x = u * ph->mm_per_px, y = v * ph->mm_per_px;
	double socket = 0, lamina = 0, crest, in_bone, m;

	p->enamel = p->dentin = p->pulp = p->trabecular = p->cortical = 0;
	for (int i = 0; i < ph->n_teeth; i++)
		tooth_paths(ph, &ph->teeth[i], x, y, p, &socket, &lamina);

	/* the crest line is never above crest_y - crest_amp: skip the sine up there */
	crest = ph->crest_y;
	in_bone = 0;
	if (y >= ph->crest_y - ph->crest_amp - 0.2) {
		crest += ph->crest_amp * sin(2 * M_PI * x / ph->crest_period + ph->crest_phase);
		in_bone = smoothstep((y - crest) / 0.25 + 0.5);
	}
	if (in_bone > 0) {
		double slab = ph->bone_depth - socket - lamina;
		double z = (y - crest - 0.2) / 0.18;
		double crest_cortex = z * z < 30 ? 0.5 * exp(-z * z) : 0;

		p->trabecular = in_bone * (slab > 0 ? slab : 0) * trabecular_density(ph, x, y);
		/* the crest cortex fades where a socket takes the whole slab */
		p->cortical = in_bone * (lamina + crest_cortex * fmin(fmax(slab, 0), 1));
	}
	p->soft = ph->soft_base + ph->soft_slope * y +
		  2.0 * gradient_noise(ph->noise_seed[2], x / 9, y / 9);
	if (p->soft < 0)
		p->soft = 0;

	m = lesion_scale(lesion, u, v);
	p->mineral_scale = m;
	p->attenuation = m * (MU_ENAMEL * p->enamel + MU_DENTIN * p->dentin +
			      MU_TRABECULAR * p->trabecular + MU_CORTICAL * p->cortical) +
			 MU_SOFT * (p->soft + p->pulp);
}

double phantom_transmission(const struct dsr_phantom *ph, double u, double v,
			    const struct dsr_lesion *lesion)
{
	struct phantom_paths p;

	phantom_paths(ph, u, v, lesion, &p);
	return exp(-p.attenuation);
}

/* Uniform in [lo, hi) from the layout's hash stream. */
static double layout_uniform(uint64_t seed, uint32_t *counter, double lo, double hi)
{
	uint32_t h = hash3((uint32_t)seed, (uint32_t)(seed >> 32), (*counter)++);

	return lo + (hi - lo) * (h / 4294967296.0);
}

/* A mandibular periapical view: teeth spread across the width, crowns in the upper
 * third, the crest just below the cemento-enamel junctions. */
static void build_layout(struct dsr_phantom *ph)
{
	uint32_t k = 0;
	double W = ph->width * ph->mm_per_px, H = ph->height * ph->mm_per_px;
	double slot, cej_sum = 0;

	ph->n_teeth = W / H > 1.15 ? 3 : 2 + (layout_uniform(ph->seed, &k, 0, 1) < 0.5);
	slot = W / ph->n_teeth;
	for (int i = 0; i < ph->n_teeth; i++) {
		struct phantom_tooth *th = &ph->teeth[i];
		double tilt = layout_uniform(ph->seed, &k, -7, 7) * M_PI / 180;

		th->wc = fmin(0.5 * slot * layout_uniform(ph->seed, &k, 0.78, 0.88), 4.2);
		th->wcej = th->wc * layout_uniform(ph->seed, &k, 0.68, 0.78);
		th->cx = slot * (i + 0.5) + layout_uniform(ph->seed, &k, -0.04, 0.04) * slot;
		th->top = H * layout_uniform(ph->seed, &k, 0.07, 0.13);
		th->len = H * layout_uniform(ph->seed, &k, 0.78, 0.86);
		th->cos_t = cos(tilt);
		th->sin_t = sin(tilt);
		th->enamel = th->wc * layout_uniform(ph->seed, &k, 0.26, 0.32);
		th->cusp = th->wc * layout_uniform(ph->seed, &k, 0.12, 0.2);
		th->depth = layout_uniform(ph->seed, &k, 0.9, 1.05);
		cej_sum += th->top + T_CEJ * th->len;
	}
	ph->crest_y = cej_sum / ph->n_teeth + H * layout_uniform(ph->seed, &k, 0.04, 0.06);
	ph->crest_amp = H * layout_uniform(ph->seed, &k, 0.01, 0.02);
	ph->crest_period = slot;
	ph->crest_phase = layout_uniform(ph->seed, &k, 0, 2 * M_PI);
	ph->bone_depth = layout_uniform(ph->seed, &k, 10, 12.5);
	ph->pdl = 0.2;
	ph->lamina = 0.25;
	ph->soft_base = layout_uniform(ph->seed, &k, 10, 14);
	ph->soft_slope = layout_uniform(ph->seed, &k, 0.1, 0.25);
	for (int i = 0; i < 4; i++)
		ph->noise_seed[i] = hash3((uint32_t)ph->seed, (uint32_t)(ph->seed >> 32), 1000 + i);
}

struct dsr_phantom *dsr_phantom_new(uint32_t width, uint32_t height, uint64_t seed)
{
	struct dsr_phantom *ph;

	if (width < 1 || height < 1 || width > DSR_IMAGE_MAX_DIM || height > DSR_IMAGE_MAX_DIM ||
	    (uint64_t)width * height > DSR_IMAGE_MAX_PIXELS) {
		dsr_seterr("phantom: size %ux%u is outside the image limits", width, height);
		return NULL;
	}
	ph = calloc(1, sizeof(*ph));
	if (!ph) {
		dsr_seterr("phantom: out of memory");
		return NULL;
	}
	ph->width = width;
	ph->height = height;
	ph->seed = seed;
	ph->mm_per_px = PHANTOM_SHORT_SIDE_MM / (width < height ? width : height);
	build_layout(ph);
	return ph;
}

void dsr_phantom_free(struct dsr_phantom *ph)
{
	free(ph);
}

/*
 * gen_smoke.c - stimulus and expected output for the Icarus smoke test, from the C model.
 *
 * usage: gen_smoke PREFIX BENCH_FRAMES
 *        gen_smoke PREFIX demo REF.pgm LIVE.pgm MODEL_OUT.pgm mode w h bits a11 a12 a21 a22
 *                  tx ty gain midgrey
 * Writes PREFIX.stim and PREFIX.exp (format in tb_stim.h): a few small frames that go
 * through capture, subtract with a rotated, scaled transform and a LUT, warp far outside
 * the frame, pass-through at another depth, subtract with no reference (other size) and
 * a 1x1 frame, a burst of 1x1 frames (context FIFO full); then BENCH_FRAMES 64x64 subtract frames after a capture (the benchmark).
 * The expected words are the whole output stream: header (timestamp words marked
 * don't-care: they depend on the simulator's timing), pixels from dsr_model_frame(),
 * trailer with the payload CRC.
 * The demo form captures REF, then runs LIVE with the given registers (identity LUT),
 * and also writes the model's output frame as a 16-bit PGM.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/model.h"
#include "tb_stim.h"

struct out {
	FILE *stim, *exp;
	uint32_t generation, sequence;
	uint16_t lut[DSR_LUT_SIZE];
	int lut_loaded;
	uint16_t ref[256 * 256];
	uint32_t ref_w, ref_h;
	int ref_valid;
	uint64_t rng;
};

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint32_t rnd(struct out *o)
{
	o->rng ^= o->rng >> 12;
	o->rng ^= o->rng << 25;
	o->rng ^= o->rng >> 27;
	return (uint32_t)((o->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void reg_write(struct out *o, uint32_t addr, uint32_t data)
{
	fprintf(o->stim, "%016llx\n", ((unsigned long long)STIM_WRITE << 60) |
		((unsigned long long)addr << 48) | data);
}

/* A register read and the value it must return (4-state: no X on the read path). */
static void reg_read(struct out *o, uint32_t addr, uint32_t want)
{
	fprintf(o->stim, "%016llx\n", ((unsigned long long)STIM_READ << 60) |
		((unsigned long long)addr << 48) | want);
}

/* Upload a LUT (the first 2^bits entries, all the frames will use) into the shadow bank. */
static void upload_lut(struct out *o, uint32_t bits, double gamma)
{
	uint32_t n = 1u << bits, max = n - 1;

	reg_write(o, DSR_REG_LUT_ADDR, 0);
	for (uint32_t i = 0; i < n; i++) {
		o->lut[i] = (uint16_t)lround(pow((double)i / max, gamma) * max);
		reg_write(o, DSR_REG_LUT_DATA, o->lut[i]);
	}
	o->lut_loaded = 1;
}

static void commit(struct out *o, const struct dsr_params *p)
{
	reg_write(o, DSR_REG_MODE, p->mode);
	reg_write(o, DSR_REG_WIDTH, p->width);
	reg_write(o, DSR_REG_HEIGHT, p->height);
	reg_write(o, DSR_REG_PIXEL_BITS, p->pixel_bits);
	reg_write(o, DSR_REG_A11, (uint32_t)p->a11);
	reg_write(o, DSR_REG_A12, (uint32_t)p->a12);
	reg_write(o, DSR_REG_A21, (uint32_t)p->a21);
	reg_write(o, DSR_REG_A22, (uint32_t)p->a22);
	reg_write(o, DSR_REG_TX, (uint32_t)p->tx);
	reg_write(o, DSR_REG_TY, (uint32_t)p->ty);
	reg_write(o, DSR_REG_GAIN, p->gain);
	reg_write(o, DSR_REG_MIDGREY, p->midgrey);
	/* the shadow set reads back as written */
	reg_read(o, DSR_REG_MODE, p->mode);
	reg_read(o, DSR_REG_WIDTH, p->width);
	reg_read(o, DSR_REG_HEIGHT, p->height);
	reg_read(o, DSR_REG_PIXEL_BITS, p->pixel_bits);
	reg_read(o, DSR_REG_A12, (uint32_t)p->a12);
	reg_read(o, DSR_REG_TY, (uint32_t)p->ty);
	reg_read(o, DSR_REG_GAIN, p->gain);
	reg_read(o, DSR_REG_MIDGREY, p->midgrey);
	reg_write(o, DSR_REG_CTRL, DSR_CTRL_COMMIT);
	reg_read(o, DSR_REG_ERROR, 0);	/* accepted */
	o->generation++;
}

static void expect_word(struct out *o, uint32_t w)
{
	fprintf(o->exp, "%05x\n", w);
}

/* One frame: its input beats and the output stream the board must send for it. */
static void frame(struct out *o, const struct dsr_params *p, const uint16_t *live)
{
	size_t n = (size_t)p->width * p->height;
	uint16_t *out = malloc(n * 2);
	uint8_t *bytes = malloc(n * 2), hdr[DSR_FRAME_HEADER_SIZE], trl[DSR_FRAME_TRAILER_SIZE];
	int uses_ref = p->mode == DSR_MODE_WARP || p->mode == DSR_MODE_SUBTRACT;
	int have_ref = o->ref_valid && o->ref_w == p->width && o->ref_h == p->height;
	struct dsr_frame_info fi = {0};

	for (size_t i = 0; i < n; i++) {
		unsigned flags = (i == 0 ? 1 : 0) | ((i % p->width) == p->width - 1 ? 2 : 0);
		fprintf(o->stim, "%016llx\n", ((unsigned long long)STIM_PIXEL << 60) |
			((unsigned long long)flags << 32) | live[i]);
	}
	dsr_model_frame(p, o->lut_loaded ? o->lut : NULL, have_ref ? o->ref : NULL, live, out);
	for (size_t i = 0; i < n; i++) {
		bytes[2 * i] = (uint8_t)out[i];
		bytes[2 * i + 1] = (uint8_t)(out[i] >> 8);
	}
	fi.width = p->width;
	fi.height = p->height;
	fi.format = DSR_FORMAT_MONO16;
	fi.pixel_bits = p->pixel_bits;
	fi.sequence = o->sequence++;
	fi.generation = o->generation;
	fi.flags = p->mode | (uses_ref && !have_ref ? DSR_FLAG_NO_REFERENCE : 0);
	fi.payload_length = (uint32_t)(n * 2);
	dsr_header_pack(&fi, hdr);
	dsr_trailer_pack(dsr_crc32(0, bytes, n * 2), fi.flags, trl);
	for (int i = 0; i < DSR_FRAME_HEADER_SIZE; i += 2) {
		int ts = i >= DSR_HDR_OFF_TIMESTAMP && i < DSR_HDR_OFF_TIMESTAMP + 8;
		expect_word(o, (hdr[i] | hdr[i + 1] << 8) | (ts ? EXP_DONTCARE : 0));
	}
	for (size_t i = 0; i < n; i++)
		expect_word(o, out[i]);
	for (int i = 0; i < DSR_FRAME_TRAILER_SIZE; i += 2)
		expect_word(o, (trl[i] | trl[i + 1] << 8) |
			    (i == DSR_FRAME_TRAILER_SIZE - 2 ? EXP_LAST : 0));
	if (p->mode == DSR_MODE_CAPTURE) {
		uint32_t mask = p->pixel_bits >= 16 ? 0xffff : (1u << p->pixel_bits) - 1;
		for (size_t i = 0; i < n; i++)
			o->ref[i] = live[i] & mask;
		o->ref_w = p->width;
		o->ref_h = p->height;
		o->ref_valid = 1;
	}
	free(out);
	free(bytes);
}

/* A smooth scene with a bright disc and noise; random bits above the depth. */
static void scene(struct out *o, uint16_t *im, uint32_t w, uint32_t h, uint32_t bits,
		  double shift)
{
	uint32_t max = (1u << bits) - 1;

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			double dx = x - w / 2.0 + shift, dy = y - h / 2.0;
			double v = max * (0.3 + 0.4 * x / w) + (dx * dx + dy * dy < w * h / 8.0 ? max * 0.2 : 0);
			v += (rnd(o) % 64) - 32;
			v = v < 0 ? 0 : v > max ? max : v;
			im[(size_t)y * w + x] = (uint16_t)v | (uint16_t)(rnd(o) << bits);
		}
	}
}

static void params(struct dsr_params *p, uint32_t mode, uint32_t w, uint32_t h, uint32_t bits,
		   double deg, double s, double tx, double ty)
{
	struct dsr_affine a;
	double th = deg * M_PI / 180;

	dsr_params_default(p, w, h, bits);
	p->mode = mode;
	a.a11 = s * cos(th);
	a.a12 = -s * sin(th);
	a.a21 = s * sin(th);
	a.a22 = s * cos(th);
	a.tx = tx;
	a.ty = ty;
	dsr_params_set_affine(p, &a);
}

/* A binary 16-bit PGM (maxval > 255) of at most 256 x 256; NULL if it is not one. */
static uint16_t *read_pgm(const char *path, uint32_t *w, uint32_t *h)
{
	FILE *f = fopen(path, "rb");
	unsigned maxval;
	uint16_t *im = NULL;

	if (!f)
		return NULL;
	if (fscanf(f, "P5 %u %u %u", w, h, &maxval) == 3 && fgetc(f) != EOF && maxval > 255 &&
	    *w >= 1 && *h >= 1 && *w <= 256 && *h <= 256) {
		size_t n = (size_t)*w * *h;
		uint8_t *b = malloc(n * 2);
		im = malloc(n * 2);
		if (fread(b, 2, n, f) == n) {
			for (size_t i = 0; i < n; i++)
				im[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
		} else {
			free(im);
			im = NULL;
		}
		free(b);
	}
	fclose(f);
	return im;
}

/* The demo: capture the reference, subtract the live frame with the given registers. */
static int demo(struct out *o, char **argv)
{
	struct dsr_params p;
	uint32_t w, h, lw, lh;
	uint16_t *ref = read_pgm(argv[3], &w, &h), *live = read_pgm(argv[4], &lw, &lh);
	int32_t v[12];

	if (!ref || !live || lw != w || lh != h) {
		fprintf(stderr, "gen_smoke: %s / %s: not two 16-bit PGMs of one size <= 256x256\n",
			argv[3], argv[4]);
		return 1;
	}
	for (int i = 0; i < 12; i++)
		v[i] = (int32_t)strtol(argv[6 + i], NULL, 0);
	dsr_params_default(&p, w, h, (uint32_t)v[3]);
	p.mode = DSR_MODE_CAPTURE;
	commit(o, &p);
	frame(o, &p, ref);
	p.mode = (uint32_t)v[0];
	p.width = (uint32_t)v[1];
	p.height = (uint32_t)v[2];
	p.a11 = v[4];
	p.a12 = v[5];
	p.a21 = v[6];
	p.a22 = v[7];
	p.tx = v[8];
	p.ty = v[9];
	p.gain = (uint32_t)v[10];
	p.midgrey = (uint32_t)v[11];
	if (dsr_params_check(&p, 256, 256, NULL) || p.width != w || p.height != h) {
		fprintf(stderr, "gen_smoke: the registers do not fit the images / the test board\n");
		return 1;
	}
	commit(o, &p);
	frame(o, &p, live);

	uint16_t *out = malloc((size_t)w * h * 2);
	FILE *f = fopen(argv[5], "wb");
	dsr_model_frame(&p, NULL, o->ref, live, out);
	if (!f)
		return 1;
	fprintf(f, "P5\n%u %u\n%u\n", w, h, (1u << p.pixel_bits) - 1);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		fputc(out[i] >> 8, f);
		fputc(out[i] & 0xff, f);
	}
	fclose(f);
	free(out);
	free(ref);
	free(live);
	return 0;
}

int main(int argc, char **argv)
{
	struct out o = {0};
	struct dsr_params p;
	uint16_t im[64 * 64];
	char path[4096];

	int is_demo = argc == 18 && strcmp(argv[2], "demo") == 0;
	if (argc != 3 && !is_demo) {
		fprintf(stderr, "usage: gen_smoke PREFIX BENCH_FRAMES\n"
			"       gen_smoke PREFIX demo REF.pgm LIVE.pgm MODEL_OUT.pgm mode w h bits "
			"a11 a12 a21 a22 tx ty gain midgrey\n");
		return 2;
	}
	int bench = is_demo ? 0 : atoi(argv[2]);
	o.rng = 0x1234567887654321ull;
	snprintf(path, sizeof(path), "%s.stim", argv[1]);
	o.stim = fopen(path, "w");
	snprintf(path, sizeof(path), "%s.exp", argv[1]);
	o.exp = fopen(path, "w");
	if (!o.stim || !o.exp) {
		perror(path);
		return 1;
	}

	if (is_demo) {
		if (demo(&o, argv))
			return 1;
	} else if (bench == 0) {
		reg_read(&o, DSR_REG_ID, DSR_ID_VALUE);
		reg_read(&o, DSR_REG_VERSION, DSR_RTL_VERSION);
		reg_read(&o, DSR_REG_GENERATION, 0);
		params(&p, DSR_MODE_CAPTURE, 16, 12, 12, 0, 1, 0, 0);
		commit(&o, &p);
		scene(&o, im, 16, 12, 12, 0);
		frame(&o, &p, im);

		upload_lut(&o, 12, 0.8);
		params(&p, DSR_MODE_SUBTRACT, 16, 12, 12, 5, 1.05, 0.7, -0.4);
		p.gain = 384;
		commit(&o, &p);
		scene(&o, im, 16, 12, 12, 1.5);
		frame(&o, &p, im);

		params(&p, DSR_MODE_WARP, 16, 12, 12, -12, 0.9, -20.25, 3.5);
		commit(&o, &p);
		frame(&o, &p, im);

		params(&p, DSR_MODE_PASS, 7, 5, 14, 0, 1, 0, 0);
		commit(&o, &p);
		scene(&o, im, 7, 5, 14, 0);
		frame(&o, &p, im);

		params(&p, DSR_MODE_SUBTRACT, 7, 5, 14, 3, 1, 1, 1);
		commit(&o, &p);
		frame(&o, &p, im);

		params(&p, DSR_MODE_SUBTRACT, 1, 1, 16, 0, 1, 0, 0);
		commit(&o, &p);
		frame(&o, &p, im);

		/* a burst of 1x1 frames against the back-pressured output: the frame context
		 * FIFO runs full and frame starts wait for room */
		params(&p, DSR_MODE_PASS, 1, 1, 12, 0, 1, 0, 0);
		commit(&o, &p);
		for (int f = 0; f < 14; f++) {
			scene(&o, im, 1, 1, 12, f);
			frame(&o, &p, im);
		}
	} else {
		params(&p, DSR_MODE_CAPTURE, 64, 64, 12, 0, 1, 0, 0);
		commit(&o, &p);
		scene(&o, im, 64, 64, 12, 0);
		frame(&o, &p, im);
		params(&p, DSR_MODE_SUBTRACT, 64, 64, 12, 7, 1.1, 2.3, -4.1);
		commit(&o, &p);
		for (int f = 0; f < bench; f++) {
			scene(&o, im, 64, 64, 12, f * 0.25);
			frame(&o, &p, im);
		}
	}
	fprintf(o.stim, "%016llx\n", (unsigned long long)STIM_END << 60);
	expect_word(&o, EXP_END);
	fclose(o.stim);
	fclose(o.exp);
	return 0;
}

/*
 * pgm.c - Netpbm grey maps: P5 (binary) and P2 (ASCII), maxval 1..65535.
 *
 * The image keeps the file's values; its depth is the number of bits maxval needs
 * (at least 8), so a 12-bit radiograph saved with maxval 4095 comes back as 12 bits.
 * A value above maxval is an error. Only the first image of a multi-image file is read.
 * Writing: P5 with maxval 2^bits - 1, one byte per sample up to 8 bits, else two
 * (big-endian, as the format says).
 */
#include <ctype.h>
#include <stdlib.h>

#include "dsr/error.h"
#include "image_priv.h"

/* Skip whitespace and '#' comments (which run to the end of the line). Returns the
 * next character, not consumed, or EOF. */
static int skip_space(FILE *f)
{
	int ch;

	for (;;) {
		ch = getc(f);
		if (ch == '#') {
			while (ch != '\n' && ch != '\r' && ch != EOF)
				ch = getc(f);
		} else if (ch == EOF || !isspace(ch)) {
			break;
		}
	}
	if (ch != EOF)
		ungetc(ch, f);
	return ch;
}

/* An unsigned decimal header or P2 sample value, at most @max. */
static int read_uint(FILE *f, uint32_t max, uint32_t *v)
{
	int ch = skip_space(f), digits = 0;
	uint64_t n = 0;

	while ((ch = getc(f)) != EOF && isdigit(ch)) {
		n = n * 10 + (uint32_t)(ch - '0');
		if (n > max)
			return -1;
		digits++;
	}
	if (ch != EOF)
		ungetc(ch, f);
	if (!digits)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

/* Bits needed for values up to @maxval, at least 8. */
static uint32_t bits_for(uint32_t maxval)
{
	uint32_t bits = 8;

	while (bits < 16 && maxval >> bits)
		bits++;
	return bits;
}

/* Binary samples: the file must hold them all (checked before the pixels are
 * allocated, so a forged header cannot make us allocate for data that is not there). */
static int read_p5(FILE *f, const char *path, struct dsr_image *im, uint32_t maxval)
{
	size_t bps = maxval > 255 ? 2 : 1;
	size_t n = (size_t)im->width * im->height;
	uint8_t buf[65536];

	for (size_t i = 0; i < n;) {	/* in blocks: one read per 64 KiB, not per byte */
		size_t want = (n - i) * bps < sizeof(buf) ? (n - i) * bps : sizeof(buf);
		size_t got = fread(buf, 1, want, f), cnt = got / bps;
		uint16_t *out = im->pixels + i, top = 0;

		/* convert the block, then look for a pixel above maxval: two loops that
		 * vectorise, instead of a test a pixel */
		if (bps == 2)
			for (size_t k = 0; k < cnt; k++)
				out[k] = (uint16_t)(buf[2 * k] << 8 | buf[2 * k + 1]);
		else
			for (size_t k = 0; k < cnt; k++)
				out[k] = buf[k];
		for (size_t k = 0; k < cnt; k++)
			top = out[k] > top ? out[k] : top;
		for (size_t k = 0; top > maxval && k < cnt; k++)
			if (out[k] > maxval)
				return dsr_seterr("%s: PGM pixel %zu = %u exceeds maxval %u", path,
						  i + k, out[k], maxval);
		i += cnt;
		if (got < want)
			return dsr_seterr("%s: PGM truncated: %zu of %zu pixels present", path, i, n);
	}
	return 0;
}

/* ASCII samples, whitespace (and, leniently, comments) between them. */
static int read_p2(FILE *f, const char *path, struct dsr_image *im, uint32_t maxval)
{
	size_t n = (size_t)im->width * im->height;

	for (size_t i = 0; i < n; i++) {
		uint32_t v;

		if (skip_space(f) == EOF)
			return dsr_seterr("%s: PGM truncated: %zu of %zu pixels present", path, i, n);
		if (read_uint(f, 65535, &v))
			return dsr_seterr("%s: PGM pixel %zu is not a number up to 65535", path, i);
		if (v > maxval)
			return dsr_seterr("%s: PGM pixel %zu = %u exceeds maxval %u", path, i, v,
					  maxval);
		im->pixels[i] = (uint16_t)v;
	}
	return 0;
}

struct dsr_image *dsr_pgm_read(FILE *f, const char *path)
{
	uint32_t w, h, maxval;
	struct dsr_image *im;
	long long left;
	int binary, ch;
	size_t need;

	if (getc(f) != 'P' || ((ch = getc(f)) != '2' && ch != '5')) {
		dsr_seterr("%s: not a PGM file", path);
		return NULL;
	}
	binary = ch == '5';
	if (read_uint(f, DSR_IMAGE_MAX_DIM, &w) || read_uint(f, DSR_IMAGE_MAX_DIM, &h)) {
		dsr_seterr("%s: PGM header: width or height missing or above %u", path,
			   DSR_IMAGE_MAX_DIM);
		return NULL;
	}
	if (read_uint(f, 65535, &maxval) || maxval == 0) {
		dsr_seterr("%s: PGM header: maxval missing or outside 1..65535", path);
		return NULL;
	}
	ch = getc(f);	/* exactly one whitespace character ends the header */
	if (ch == EOF || !isspace(ch)) {
		dsr_seterr("%s: PGM header not followed by whitespace", path);
		return NULL;
	}
	if (dsr_image_check_size(path, w, h))
		return NULL;
	/* every sample needs at least 1 (P2: digit + separator, the last one maybe
	 * without) or 2 bytes */
	need = binary ? (size_t)w * h * (maxval > 255 ? 2 : 1) : (size_t)w * h * 2 - 1;
	left = dsr_stream_remaining(f);
	if (left >= 0 && (unsigned long long)left < need) {
		dsr_seterr("%s: PGM truncated: %lld bytes of pixel data for %ux%u pixels", path,
			   left, w, h);
		return NULL;
	}
	im = dsr_image_new(w, h, bits_for(maxval));
	if (!im)
		return NULL;
	if ((binary ? read_p5 : read_p2)(f, path, im, maxval)) {
		dsr_image_free(im);
		return NULL;
	}
	return im;
}

int dsr_pgm_write(const struct dsr_image *im, FILE *f, const char *path)
{
	uint32_t maxval = (1u << im->bits) - 1;
	size_t n = (size_t)im->width * im->height;

	if (fprintf(f, "P5\n%u %u\n%u\n", im->width, im->height, maxval) < 0)
		return dsr_seterr("%s: write failed", path);
	for (size_t i = 0; i < n; i++) {
		if (maxval > 255 && putc(im->pixels[i] >> 8, f) == EOF)
			return dsr_seterr("%s: write failed", path);
		if (putc(im->pixels[i] & 0xff, f) == EOF)
			return dsr_seterr("%s: write failed", path);
	}
	return 0;
}

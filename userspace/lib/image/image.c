/*
 * image.c - grey images in memory, and the front door to the file formats: load by
 * content (magic bytes), save by extension through a temporary file and a rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsr/dicom.h"
#include "dsr/error.h"
#include "image_priv.h"

int dsr_image_check_size(const char *path, uint64_t width, uint64_t height)
{
	if (width < 1 || height < 1 || width > DSR_IMAGE_MAX_DIM || height > DSR_IMAGE_MAX_DIM ||
	    width * height > DSR_IMAGE_MAX_PIXELS)
		return dsr_seterr("%s: image size %llux%llu is outside the limits (1..%u per side, "
				  "at most %u pixels)", path ? path : "image",
				  (unsigned long long)width, (unsigned long long)height,
				  DSR_IMAGE_MAX_DIM, DSR_IMAGE_MAX_PIXELS);
	return 0;
}

struct dsr_image *dsr_image_new(uint32_t width, uint32_t height, uint32_t bits)
{
	struct dsr_image *im;

	if (dsr_image_check_size(NULL, width, height))
		return NULL;
	if (bits < 8 || bits > 16) {
		dsr_seterr("image: %u bits per pixel is outside 8..16", bits);
		return NULL;
	}
	im = malloc(sizeof(*im));
	if (!im) {
		dsr_seterr("image: out of memory");
		return NULL;
	}
	im->width = width;
	im->height = height;
	im->bits = bits;
	im->pixels = calloc((size_t)width * height, sizeof(uint16_t));
	if (!im->pixels) {
		free(im);
		dsr_seterr("image: out of memory for %ux%u pixels", width, height);
		return NULL;
	}
	return im;
}

struct dsr_image *dsr_image_copy(const struct dsr_image *im)
{
	struct dsr_image *c = dsr_image_new(im->width, im->height, im->bits);

	if (c)
		memcpy(c->pixels, im->pixels, (size_t)im->width * im->height * sizeof(uint16_t));
	return c;
}

void dsr_image_free(struct dsr_image *im)
{
	if (!im)
		return;
	free(im->pixels);
	free(im);
}

long long dsr_stream_remaining(FILE *f)
{
	struct stat st;
	long pos = ftell(f);

	if (pos < 0 || fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
		return -1;
	return st.st_size > pos ? (long long)st.st_size - pos : 0;
}

/* The file formats by their first bytes. */
enum image_format { FMT_UNKNOWN, FMT_PNG, FMT_TIFF, FMT_PGM, FMT_PNM_OTHER, FMT_DICOM };

static enum image_format sniff(const unsigned char *b, size_t n)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	/* DICOM first: "DICM" after the 128-byte preamble (dicom.h owns the test), whose
	 * content is free - a dual-personality file may start like a TIFF */
	if (dsr_dicom_probe_bytes(b, n))
		return FMT_DICOM;
	if (n >= 8 && !memcmp(b, png_sig, 8))
		return FMT_PNG;
	if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
		       (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43))))
		return FMT_TIFF;
	if (n >= 2 && b[0] == 'P' && (b[1] == '2' || b[1] == '5'))
		return FMT_PGM;
	if (n >= 2 && b[0] == 'P' && b[1] && strchr("13467", b[1]))
		return FMT_PNM_OTHER;
	return FMT_UNKNOWN;
}

struct dsr_image *dsr_image_load(const char *path)
{
	return dsr_image_load_frame(path, -1);
}

/* Read the right format after looking at the first 132 bytes. */
struct dsr_image *dsr_image_load_frame(const char *path, long frame)
{
	unsigned char head[132];
	struct dsr_image *im = NULL;
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		dsr_seterr("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	n = fread(head, 1, sizeof(head), f);
	if (n == 0 && ferror(f)) {	/* e.g. a directory */
		dsr_seterr("%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	rewind(f);
	enum image_format fmt = sniff(head, n);
	if (frame > 0 && fmt != FMT_DICOM) {
		dsr_seterr("%s: frame %ld asked for, but only a DICOM file has frames", path,
			   frame + 1);
		fclose(f);
		return NULL;
	}
	switch (fmt) {
	case FMT_PNG:
		im = dsr_png_read(f, path);
		break;
	case FMT_TIFF:
		im = dsr_tiff_read(fileno(f), path);
		break;
	case FMT_PGM:
		im = dsr_pgm_read(f, path);
		break;
	case FMT_PNM_OTHER:
		dsr_seterr("%s: a PBM/PPM/PAM file; only grey PGM (P2, P5) is read", path);
		break;
	case FMT_DICOM:
		/* ---- DICOM: lib/dicom/ (dsr/dicom.h) reads it by path ---- */
		im = dsr_dicom_load_frame(path, frame);
		break;
	case FMT_UNKNOWN:
		if (n == 0)
			dsr_seterr("%s: empty file", path);
		else
			dsr_seterr("%s: not a PNG, TIFF, PGM or DICOM file (unrecognised first "
				   "bytes)", path);
		break;
	}
	fclose(f);
	return im;
}

/* The formats a file name can ask for when saving. */
enum save_format { SAVE_NONE, SAVE_PNG, SAVE_TIFF, SAVE_PGM };

static enum save_format format_of_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return SAVE_NONE;
	if (!strcasecmp(dot, ".png"))
		return SAVE_PNG;
	if (!strcasecmp(dot, ".tif") || !strcasecmp(dot, ".tiff"))
		return SAVE_TIFF;
	if (!strcasecmp(dot, ".pgm"))
		return SAVE_PGM;
	return SAVE_NONE;
}

/* An image is only written if it is what it claims: a valid size, 8..16 bits, and no
 * pixel with bits above its depth (which a format would silently mangle). */
static int check_for_save(const struct dsr_image *im, const char *path)
{
	uint32_t max;

	if (!im || !im->pixels)
		return dsr_seterr("%s: no image to save", path);
	if (dsr_image_check_size(path, im->width, im->height))
		return -1;
	if (im->bits < 8 || im->bits > 16)
		return dsr_seterr("%s: %u bits per pixel is outside 8..16", path, im->bits);
	max = (1u << im->bits) - 1;
	for (size_t i = 0; i < (size_t)im->width * im->height; i++)
		if (im->pixels[i] > max)
			return dsr_seterr("%s: pixel (%zu, %zu) = %u does not fit the image's %u bits",
					  path, i % im->width, i / im->width, im->pixels[i],
					  im->bits);
	return 0;
}

/* A new file next to @path, "<path>.tmp<pid>.<n>", opened O_EXCL with mode 0666 so the
 * umask applies as for any new file. Its name goes to @tmp. */
static int open_temp(const char *path, char *tmp, size_t size)
{
	for (unsigned n = 0; n < 100; n++) {
		int fd;

		if ((size_t)snprintf(tmp, size, "%s.tmp%ld.%u", path, (long)getpid(), n) >= size)
			return dsr_seterr("%s: path too long", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return dsr_seterr("%s: cannot create a temporary file: %s", path,
					  strerror(errno));
	}
	return dsr_seterr("%s: cannot create a temporary file (names in use)", path);
}

/* Write the chosen format to an open temporary file descriptor. */
static int write_format(const struct dsr_image *im, enum save_format fmt, int fd,
			const char *path)
{
	FILE *f;
	int rc;

	if (fmt == SAVE_TIFF)
		return dsr_tiff_write(im, fd, path);
	f = fdopen(dup(fd), "wb");
	if (!f)
		return dsr_seterr("%s: %s", path, strerror(errno));
	rc = fmt == SAVE_PNG ? dsr_png_write(im, f, path) : dsr_pgm_write(im, f, path);
	if (fclose(f) && rc == 0)
		rc = dsr_seterr("%s: write failed: %s", path, strerror(errno));
	return rc;
}

int dsr_image_save(const struct dsr_image *im, const char *path)
{
	enum save_format fmt = format_of_name(path);
	char tmp[4096];
	int fd, rc;

	if (fmt == SAVE_NONE)
		return dsr_seterr("%s: unknown image type; use .png, .tif, .tiff or .pgm", path);
	if (check_for_save(im, path))
		return -1;
	fd = open_temp(path, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	rc = write_format(im, fmt, fd, path);
	if (rc == 0 && fsync(fd))
		rc = dsr_seterr("%s: write failed: %s", path, strerror(errno));
	if (close(fd) && rc == 0)
		rc = dsr_seterr("%s: write failed: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path))
		rc = dsr_seterr("%s: cannot rename the temporary file into place: %s", path,
				strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

/*
 * fuzz_image_load.c - libFuzzer harness for dsr_image_load(): the input bytes become a
 * file (a memfd, named through /proc/self/fd so the loader opens it by path exactly as
 * it opens a user's file) and are loaded through the magic-byte dispatcher into the
 * PNG, TIFF, PGM or DICOM reader (every transfer syntax; the second frame of a
 * multi-frame file). A load must either fail with a message or return an image
 * that is consistent with image.h's limits; anything else aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsr/error.h"
#include "dsr/image.h"

/* Write all of @data to @fd from offset 0. */
static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

/* What every successfully loaded image must satisfy. */
static void check_image(const struct dsr_image *im)
{
	size_t n = (size_t)im->width * im->height;
	uint32_t max = (1u << im->bits) - 1;

	if (im->width < 1 || im->height < 1 || im->width > DSR_IMAGE_MAX_DIM ||
	    im->height > DSR_IMAGE_MAX_DIM || n > DSR_IMAGE_MAX_PIXELS || im->bits < 8 ||
	    im->bits > 16 || !im->pixels)
		abort();
	for (size_t i = 0; i < n; i++)
		if (im->pixels[i] > max)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct dsr_image *im;
	int fd = memfd_create("dsr-fuzz", MFD_CLOEXEC);

	if (fd < 0 || write_all(fd, data, size)) {
		perror("memfd");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	im = dsr_image_load(path);
	if (!im && strstr(dsr_error(), "--frame"))	/* multi-frame DICOM: decode frame 2 */
		im = dsr_image_load_frame(path, 1);
	if (im)
		check_image(im);
	else if (!dsr_error()[0])
		abort();	/* every failure must say why */
	dsr_image_free(im);
	close(fd);
	return 0;
}

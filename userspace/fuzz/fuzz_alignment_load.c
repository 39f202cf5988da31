/*
 * fuzz_alignment_load.c - libFuzzer harness for dsr_alignment_load(): the bytes become
 * a parameter file (memfd behind /proc/self/fd). A load must fail with a message, or
 * give registers the board accepts (once bound to a frame) and a LUT or none.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsr/alignment.h"
#include "dsr/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsr_alignment al;
	char path[64];
	int fd = memfd_create("dsr-fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror("memfd");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (dsr_alignment_load(path, &al) == 0) {
		uint32_t w = al.params.width ? al.params.width : 64;
		uint32_t h = al.params.width ? al.params.height : 64;
		uint32_t b = al.params.pixel_bits ? al.params.pixel_bits : 12;

		if (dsr_alignment_for_frame(&al, w, h, b) != 0 || al.quality > 1 || al.quality < -1)
			abort();	/* what loaded must be usable as it says */
	} else if (!dsr_error()[0]) {
		abort();
	}
	dsr_alignment_free(&al);
	close(fd);
	return 0;
}

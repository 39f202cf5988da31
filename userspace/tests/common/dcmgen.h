/*
 * dcmgen.h - DICOM test inputs made with DCMTK: grey images in an uncompressed transfer
 * syntax (single- or multi-frame, 8 or 16 bits allocated), and JPEG 2000 codestreams
 * (made by OpenJPEG's opj_compress) wrapped into DICOM, which DCMTK's free tools cannot
 * do. The archive's other encodings come from dcmcjpeg, dcmcjpls and dcmcrle on files
 * made here.
 */
#ifndef DSR_TEST_DCMGEN_H
#define DSR_TEST_DCMGEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* @frames frames of @w x @h MONOCHROME2 pixels (@px, frame after frame), @bits_alloc 8
 * or 16, @bits_stored <= @bits_alloc, explicit VR little endian. 0 or -1. */
int t_dicom_write_grey(const char *path, uint32_t w, uint32_t h, unsigned bits_alloc,
		       unsigned bits_stored, unsigned frames, const uint16_t *px);
/* @src (as written above) with its pixel data replaced by @n JPEG 2000 codestream files,
 * one per frame, saved as @out in transfer syntax @xfer_uid. 0 or -1. */
int t_dicom_encapsulate(const char *src, const char *const *codestreams, size_t n,
			const char *xfer_uid, const char *out);

#ifdef __cplusplus
}
#endif

#endif

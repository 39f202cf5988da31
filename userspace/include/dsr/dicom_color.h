/*
 * dicom_color.h - a colour picture derived from a subtraction (the gain/loss overlay)
 * as a DICOM RGB Secondary Capture image in the difference's study.
 */
#ifndef DSR_DICOM_COLOR_H
#define DSR_DICOM_COLOR_H

#include <stdint.h>

#include "dicom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the colour object goes and what it says about itself. */
struct dsr_dicom_color {
	const char *like;		/* the DICOM difference it accompanies (required) */
	const char *series_instance_uid; /* NULL = a fresh series */
	int series_number;		/* 0 = 901 */
	int instance_number;		/* 0 = 1 */
	const char *series_description;	/* NULL = "DSR change overlay" */
	const char *derivation;		/* DerivationDescription */
};

/*
 * Save @rgb (@w x @h, 8 bits per sample, interleaved R G B) as a Secondary Capture
 * Image (SamplesPerPixel 3, PhotometricInterpretation RGB, PlanarConfiguration 0,
 * explicit VR little endian). Patient, study, character set, dental record and source
 * references are copied from @c->like, which is also added as a source image. Written
 * to a temporary file and renamed. The new SOP Instance UID goes to @sop if non-NULL.
 * 0, or -1 (dsr_error()).
 */
int dsr_dicom_save_rgb(const uint8_t *rgb, uint32_t w, uint32_t h,
		       const struct dsr_dicom_color *c, const char *path, char *sop);

#ifdef __cplusplus
}
#endif

#endif /* DSR_DICOM_COLOR_H */

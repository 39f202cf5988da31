/*
 * dicom.h - DICOM in and out: grey radiographs as input, the difference image as output.
 *
 * Reading: grey images, 8..16 bits stored, MONOCHROME1 (inverted on load so that higher
 * is always brighter) or MONOCHROME2, with the Modality LUT's rescale slope/intercept
 * applied into the 16-bit range, in every transfer syntax an archive holds: implicit
 * and explicit VR little endian, explicit VR big endian, deflated; JPEG baseline,
 * extended and lossless (DCMTK dcmjpeg), JPEG-LS (dcmjpls), RLE (dcmrle), JPEG 2000
 * (OpenJPEG). A multi-frame file gives the frame asked for. Colour images are refused
 * with a message saying so, and so is any file whose declared pixel data exceeds
 * DSR_IMAGE_MAX_PIXELS per frame or DSR_DECODE_BUDGET in all, before decoding.
 *
 * Writing: the difference image as a DICOM derived image that carries the patient and
 * study identity of its sources and references the source instances, so that a PACS
 * files it in the same study, next to the originals. Implemented in lib/dicom/ on
 * DCMTK behind this C interface. Files are untrusted input; nothing here prints.
 */
#ifndef DSR_DICOM_H
#define DSR_DICOM_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "record.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes of the identity strings, each NUL-terminated (DICOM value lengths + 1). */
#define DSR_DICOM_UID_LEN	65	/* UI: 64 characters */
#define DSR_DICOM_PN_LEN	325	/* PN: 5 components of up to 64 characters */
#define DSR_DICOM_LO_LEN	65	/* LO */
#define DSR_DICOM_SH_LEN	17	/* SH, CS */
#define DSR_DICOM_DA_LEN	9	/* DA: YYYYMMDD */
#define DSR_DICOM_TM_LEN	17	/* TM: HHMMSS.FFFFFF */

/*
 * Who and what an image belongs to: the Patient and General Study modules, plus the
 * instance's own SOP Class/Instance UIDs and modality. Empty strings mean "not known".
 */
struct dsr_dicom_identity {
	char patient_name[DSR_DICOM_PN_LEN];
	char patient_id[DSR_DICOM_LO_LEN];
	char patient_birth_date[DSR_DICOM_DA_LEN];
	char patient_sex[DSR_DICOM_SH_LEN];
	char study_instance_uid[DSR_DICOM_UID_LEN];
	char study_id[DSR_DICOM_SH_LEN];
	char study_date[DSR_DICOM_DA_LEN];
	char study_time[DSR_DICOM_TM_LEN];
	char study_description[DSR_DICOM_LO_LEN];
	char accession_number[DSR_DICOM_SH_LEN];
	char referring_physician[DSR_DICOM_PN_LEN];
	char modality[DSR_DICOM_SH_LEN];
	char sop_class_uid[DSR_DICOM_UID_LEN];
	char sop_instance_uid[DSR_DICOM_UID_LEN];
	char specific_character_set[DSR_DICOM_LO_LEN];	/* how the names are encoded */
	/* when the image was taken: AcquisitionDateTime, else AcquisitionDate/Time, else
	 * ContentDate/Time, else the study's; empty when unknown (not DICOM) */
	char acquisition_date[DSR_DICOM_DA_LEN];
	char acquisition_time[DSR_DICOM_TM_LEN];
};

/* 1 if @path starts like a DICOM Part 10 file ("DICM" at byte 128), 0 if not or unreadable. */
int dsr_dicom_probe(const char *path);
/* The same test on bytes already read (@len of them). */
int dsr_dicom_probe_bytes(const void *buf, size_t len);

/*
 * Load a grey DICOM image. The result's bits is BitsStored when no rescale applies (the
 * pixels are the stored values, bit for bit), otherwise the bits the rescaled range
 * needs. Rescale: values slope * stored + intercept are used as they are when they fit
 * [0, 65535]; shifted so that the lowest possible value is 0 when only their offset is
 * out of range; scaled linearly onto 16 bits when their span exceeds 16 bits.
 * MONOCHROME1 is inverted within the result's bit depth. NULL on failure (dsr_error()).
 */
struct dsr_image *dsr_dicom_load(const char *path);
/* The same for frame @frame (0-based) of a multi-frame file; @frame -1 accepts only a
 * single-frame file (a multi-frame one is refused, naming how many frames it has). */
struct dsr_image *dsr_dicom_load_frame(const char *path, long frame);

/* Read the identity of a DICOM file without its pixels. 0, or -1 (dsr_error()). */
int dsr_dicom_read_identity(const char *path, struct dsr_dicom_identity *id);

/* The teeth a DICOM file's Primary Anatomic Structure Sequence names (record.h's codes);
 * @t->n = 0 when none. 0, or -1 (dsr_error()) if the file cannot be read. */
int dsr_dicom_read_teeth(const char *path, struct dsr_teeth *t);

/* Fill @id for an anonymous patient: empty names, a fresh Study Instance UID and the
 * current date and time as the study's. */
void dsr_dicom_identity_anonymous(struct dsr_dicom_identity *id);

/* A fresh UID under DCMTK's site root, into @uid (DSR_DICOM_UID_LEN bytes). */
void dsr_dicom_new_uid(char *uid);

/* What a derived image says about where it came from and where it belongs. */
struct dsr_dicom_derived {
	const struct dsr_dicom_identity *identity;	/* patient + study; NULL = anonymous */
	const struct dsr_dicom_identity *sources;	/* source instances (their SOP UIDs) */
	size_t n_sources;
	const char *derivation;		/* DerivationDescription, e.g. the transform used */
	const char *series_description;	/* NULL = "DSR subtraction" */
	const char *series_instance_uid; /* share one across a series; NULL = fresh */
	int series_number;		/* 0 = 900 */
	int instance_number;		/* 0 = 1 */
	unsigned midgrey;		/* "no change" grey level: the window centre */
	const char *comments;		/* ImageComments (e.g. a recorded override), or NULL */
	const struct dsr_teeth *teeth;	/* record.h: coded as Primary Anatomic Structure
					 * (replacing an intra-oral source's); NULL = none */
	/* the field mask (model.h, width x height, 0 = out of field) or NULL: out-of-field
	 * pixels become Overlay Plane 6000 "OUT OF FIELD" (an ROI overlay), besides carrying
	 * the value DSR_OUT_OF_FIELD in the pixel data */
	const uint8_t *field;
	/*
	 * A Digital Intra-Oral X-Ray source file, or NULL. When it is one and carries the
	 * acquisition attributes that IOD needs (imager pixel spacing, positioner type,
	 * image laterality, anatomic region, detector type, patient orientation), the
	 * difference is written as a Digital Intra-Oral X-Ray Image (for presentation) with
	 * them; otherwise as Secondary Capture.
	 */
	const char *io_source;
};

/*
 * Save @im (the difference image) as a DICOM derived image (Digital Intra-Oral X-Ray when
 * @d->io_source allows it, else Secondary Capture), 16 bits allocated,
 * MONOCHROME2, explicit VR little endian: the identity's Patient and Study modules, a new
 * Series and SOP Instance UID, ImageType DERIVED\SECONDARY, the derivation description,
 * and a Source Image Sequence plus Referenced Image Sequence naming every source that has
 * SOP UIDs; the Procedure Code Sequence holds CDT D0394; AcquisitionDate/Time are the
 * follow-up's (sources[1], else the identity's). If @sop_instance_uid is non-NULL the new instance's UID is copied there.
 * Written to a temporary file and renamed. 0, or -1 (dsr_error()).
 */
int dsr_dicom_save_derived(const struct dsr_image *im, const struct dsr_dicom_derived *d,
			   const char *path, char *sop_instance_uid);

#ifdef __cplusplus
}
#endif

#endif /* DSR_DICOM_H */

/*
 * identity.h - who a derived image belongs to, checked: the patient and study identity
 * the tools write into DICOM, validated against the value representations (VR) of
 * DICOM PS3.5, and the rule that two sources of one subtraction are one patient.
 *
 * Values given by a user (command-line options) are validated and refused when wrong,
 * never truncated or reformatted beyond the one documented convenience (a date may be
 * given as YYYY-MM-DD and is stored as YYYYMMDD). Text is UTF-8; any non-ASCII value
 * makes the identity's Specific Character Set "ISO_IR 192".
 */
#ifndef DSR_IDENTITY_H
#define DSR_IDENTITY_H

#include <stddef.h>

#include "dicom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Specific Character Set written for UTF-8 text. */
#define DSR_CHARSET_UTF8	"ISO_IR 192"
/* Patient Name and Patient ID of an image whose patient nobody named. */
#define DSR_UNIDENTIFIED	"UNIDENTIFIED"

/*
 * Check @value against DICOM VR @vr ("PN", "LO", "SH", "CS", "DA", "TM", "UI") for a
 * single-valued attribute: valid UTF-8, no control characters or backslash, within the
 * VR's length in characters; DA a real calendar date YYYYMMDD, TM HH[MM[SS[.F{1,6}]]]
 * with real hours/minutes/seconds, UI dot-separated numbers without leading zeros, at
 * most 64 bytes. 0, or -1 with dsr_error() naming @what and the rule broken.
 */
int dsr_vr_check(const char *vr, const char *what, const char *value);

/* 1 if @s holds a byte above 0x7f (needs a character set other than the default). */
int dsr_text_non_ascii(const char *s);

/* The identity fields a user may give (command-line order). */
enum dsr_identity_field {
	DSR_ID_PATIENT_NAME, DSR_ID_PATIENT_ID, DSR_ID_BIRTH_DATE, DSR_ID_SEX,
	DSR_ID_STUDY_UID, DSR_ID_STUDY_ID, DSR_ID_ACCESSION, DSR_ID_REFERRING,
	DSR_ID_FIELDS
};

/* The option name of a field ("patient-id"), its VR and DICOM keyword. */
const char *dsr_identity_field_option(enum dsr_identity_field f);

/* What a user said about the identity: the fields given, already validated. */
struct dsr_identity_opts {
	struct dsr_dicom_identity given;
	unsigned given_mask;		/* bit f set: field f was given */
	int accept_mismatch;		/* sources of different patients were accepted */
};

/*
 * Validate @value for field @f and store it in @o (a date given as YYYY-MM-DD is stored
 * as YYYYMMDD; sex must be M, F or O). 0, or -1 with dsr_error() naming the option.
 */
int dsr_identity_opts_set(struct dsr_identity_opts *o, enum dsr_identity_field f,
			  const char *value);

/*
 * Whether @a and @b are one patient: by Patient ID when both have one, else by name and
 * birth date when both have both. Returns 1 (same), 0 (different; @why says how) or -1
 * (nothing to compare: an image without identity).
 */
int dsr_identity_same_patient(const struct dsr_dicom_identity *a,
			      const struct dsr_dicom_identity *b, char *why, size_t size);

/* How the identity of a derived image was decided. */
struct dsr_identity_outcome {
	int unidentified;	/* no patient identity anywhere: marked DSR_UNIDENTIFIED */
	int mismatch_accepted;	/* the sources disagree and the user accepted it */
	char note[512];		/* the recorded override, for the DICOM and the report */
};

/*
 * The identity a derivation of @ref and @live carries (either may be NULL or have an
 * empty SOP Instance UID: not DICOM). DICOM sources must be one patient (else refused
 * unless @o->accept_mismatch, which is recorded in @outcome->note); options must agree
 * with what a DICOM source says and fill only what it leaves empty; the follow-up's
 * study wins over the baseline's; with no DICOM source the options over @fresh (a new
 * study shared by a series). An identity with no Patient ID gets DSR_UNIDENTIFIED as
 * Patient ID (and as name when it has none) and @outcome->unidentified.
 * 0, or -1 with dsr_error() saying what disagrees.
 */
int dsr_identity_resolve(const struct dsr_dicom_identity *ref,
			 const struct dsr_dicom_identity *live,
			 const struct dsr_identity_opts *o,
			 const struct dsr_dicom_identity *fresh,
			 struct dsr_dicom_identity *out, struct dsr_identity_outcome *outcome);

#ifdef __cplusplus
}
#endif

#endif /* DSR_IDENTITY_H */

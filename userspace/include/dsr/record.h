/*
 * record.h - what the dental record needs from a subtraction: the teeth it shows, coded
 * as the DICOM IOD's anatomy; the visit dates; the procedure (CDT D0394, "digital
 * subtraction of two or more images or image volumes of the same modality").
 *
 * Teeth are permanent dentition, given in FDI (ISO 3950: 11..18, 21..28, 31..38,
 * 41..48) or Universal (1..32) numbering, stored as FDI and written as SNOMED (SRT)
 * codes of DICOM CID 4018 "Permanent Dentition - Designation of Teeth" in the Primary
 * Anatomic Structure Sequence.
 */
#ifndef DSR_RECORD_H
#define DSR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DSR_TEETH_MAX 32

/* The CDT procedure code of digital subtraction, for the Procedure Code Sequence. */
#define DSR_CDT_SCHEME		"CDT"
#define DSR_CDT_D0394		"D0394"
/* CodeMeaning is LO (64 characters): CDT's descriptor, shortened to fit */
#define DSR_CDT_D0394_MEANING	"Digital subtraction of two or more images"

struct dsr_teeth {
	unsigned n;
	uint8_t fdi[DSR_TEETH_MAX];	/* FDI numbers, in the order given, no repeats */
};

enum dsr_tooth_numbering { DSR_TEETH_FDI, DSR_TEETH_UNIVERSAL };

/* "fdi" or "universal" (case-insensitive). 0 or -1 (dsr_error()). */
int dsr_tooth_numbering_parse(const char *s, enum dsr_tooth_numbering *n);

/* A comma-separated list of teeth ("36,37" FDI; "19,18" Universal) into @t. Unknown
 * numbers, repeats and more than DSR_TEETH_MAX are refused. 0 or -1 (dsr_error()). */
int dsr_teeth_parse(const char *list, enum dsr_tooth_numbering numbering, struct dsr_teeth *t);

/* The Universal number (1..32) of FDI tooth @fdi, 0 if it is not a permanent tooth. */
unsigned dsr_tooth_universal(unsigned fdi);

/* The coded anatomy of FDI tooth @fdi: code value (SRT), scheme and meaning as DICOM
 * CID 4018 has them. 0, or -1 if @fdi is not a permanent tooth. */
int dsr_tooth_code(unsigned fdi, char *code, size_t code_size, const char **scheme,
		   char *meaning, size_t meaning_size);

/* The FDI tooth a coded anatomy item names: CID 4018 in SRT (T-54210..T-54520) or SCT
 * (SNOMED CT concept ids), 0 if it names no permanent tooth. */
unsigned dsr_tooth_from_code(const char *scheme, const char *value);

/* "FDI 36, 37 (UNIVERSAL 19, 18)" or "" for none, into @buf. */
void dsr_teeth_format(const struct dsr_teeth *t, char *buf, size_t size);

/* A visit date for the record: YYYYMMDD or YYYY-MM-DD, a real date; stored as YYYYMMDD
 * in @out (9 bytes). 0 or -1 (dsr_error() naming @what). */
int dsr_visit_date_parse(const char *what, const char *s, char *out);

/* "YYYY-MM-DD HH:MM" (or less when parts are missing; "unknown" when @da is empty) from a
 * DICOM date and time, into @buf. */
void dsr_visit_format(const char *da, const char *tm, char *buf, size_t size);

/* ---- the written difference ------------------------------------------------------- */

/*
 * Out of field: live pixels whose reference sample lies outside the reference frame
 * (dsr_model_field_mask()) are not change. Every written difference image marks them
 * with this value; an in-field pixel that would be 0 (a loss clamped at the bottom of
 * the range) is written as 1 instead, so 0 means "out of field" and nothing else.
 */
#define DSR_OUT_OF_FIELD	0

struct dsr_image;

/* Mark @diff's out-of-field pixels (@valid[i] == 0) as DSR_OUT_OF_FIELD, lifting in-field
 * zeros to 1. Returns the number of pixels marked. */
size_t dsr_mark_out_of_field(struct dsr_image *diff, const uint8_t *valid);

/* Mean and standard deviation of @im over the pixels @valid marks (all when NULL);
 * returns how many there were (0: both set to NaN). */
size_t dsr_field_stats(const struct dsr_image *im, const uint8_t *valid, double *mean,
		       double *sd);

/*
 * The displayable 8-bit rendering of a difference, for ordinary viewers: in-field
 * pixels mapped linearly from [centre - width/2, centre + width/2] onto 1..255 (clamped),
 * out-of-field pixels 0. The window: centre = @midgrey, width = 2 x six robust standard
 * deviations (1.4826 x MAD of the in-field pixels about midgrey), at least 8 grey
 * levels - the same stretch as the montage. @centre/@width receive it. NULL on error.
 */
struct dsr_image *dsr_difference_display(const struct dsr_image *diff, const uint8_t *valid,
					 uint32_t midgrey, double *centre, double *width);

#ifdef __cplusplus
}
#endif

#endif /* DSR_RECORD_H */

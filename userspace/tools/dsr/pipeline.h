/*
 * pipeline.h - the host's half of a subtraction, shared by `dsr series` and
 * `dsr calibrate`: register one live frame against the reference, build the contrast
 * LUT, quantise both into a board parameter set, run the reference model; and the
 * outputs every such command leaves behind (difference PNG and DICOM, montage, JSON
 * report, progress on a terminal). The algorithms live in libdsr; this is the glue a
 * command line needs around them.
 */
#ifndef DSR_TOOL_PIPELINE_H
#define DSR_TOOL_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "dsr/contrast.h"
#include "dsr/dicom.h"
#include "dsr/identity.h"
#include "dsr/record.h"
#include "dsr/image.h"
#include "dsr/model.h"
#include "dsr/register.h"

/* How a pair is brought into register and subtracted. */
struct pair_opts {
	struct dsr_register_opts reg;
	enum dsr_lut_method lut_method;
	double gain;		/* output gain on the difference, 1.0 = unit */
	long midgrey;		/* "no change" grey level; -1 = half range */
	int have_known;		/* use @known instead of registering */
	struct dsr_affine known;
	int known_projective;	/* @known_h is the known transform (landmarks, projective) */
	struct dsr_homography known_h;
	long frame;		/* --frame: which frame of multi-frame DICOM inputs; -1 none */
};

/* --frame N (1-based) for multi-frame DICOM inputs: its getopt entry and help line. */
#define PAIR_OPT_FRAME 0x300
#define PAIR_FRAME_LONG_OPTION { "frame", required_argument, NULL, PAIR_OPT_FRAME }
#define PAIR_FRAME_HELP \
	"      --frame N           frame N (from 1) of multi-frame DICOM inputs\n"

void pair_opts_default(struct pair_opts *o);
/*
 * The options every command that prepares a pair shares, by getopt value:
 * 'm' --model/--motion, 'L' --lut, 'g' --gain (the board's Q8.8 range), 'G' --midgrey,
 * PAIR_OPT_FRAME --frame.
 * Returns 1 if @c was one of them and @arg was good, 0 if @c is not a pair option,
 * -1 with dsr_error() naming the option if @arg was bad.
 */
int pair_opts_option(struct pair_opts *o, int c, const char *arg);

/* Everything one pair produced. */
struct pair_result {
	int registered;			/* registration succeeded (reg is a result) */
	struct dsr_register_result reg;	/* the estimate, or diagnostics when !registered */
	struct dsr_contrast_info contrast;
	struct dsr_params params;	/* what the board gets: quantised affine, gain... */
	struct dsr_affine quantised;	/* the transform the registers implement */
	uint16_t *lut;			/* DSR_LUT_SIZE entries */
	struct dsr_image *difference;	/* the model's output, or NULL before subtracting */
};

/* The board's pixel depth for an image of @bits (the board takes 12..16). */
uint32_t pair_pixel_bits(uint32_t bits);

/*
 * Register @live against @ref (or take the known transform), build the LUT and the
 * parameter set. Returns 0; or -1 with dsr_error() when the sizes differ, registration
 * failed (res->registered = 0, res->reg kept for the report) or the transform does
 * not fit the registers.
 */
int pair_prepare(const struct dsr_image *ref, const struct dsr_image *live,
		 const struct pair_opts *o, struct pair_result *res);
/* Run the reference model: res->difference = subtraction of @live with res->params. */
int pair_subtract(const struct dsr_image *ref, const struct dsr_image *live,
		  struct pair_result *res);
void pair_result_free(struct pair_result *res);

/* ---- reports --------------------------------------------------------------------- */

/* [a11, a12, tx, a21, a22, ty], the JSON order of the whole project. */
json_t *json_affine(const struct dsr_affine *a);
/* The register values of a parameter set. */
json_t *json_params(const struct dsr_params *p);
/* Registration, contrast and parameters of a prepared pair. */
/* The model of the result: "projective" if the homography was kept, else the model
 * fitted ("affine" for --model auto and projective when the affine stood). */
const char *pair_model_name(const struct pair_result *res, const struct pair_opts *o);
json_t *json_pair(const struct pair_result *res, const struct pair_opts *o);
/* The patient of an output for report.json: name, ID, birth date, study, and how the
 * identity was decided (unidentified, a recorded mismatch override). */
json_t *json_patient(const struct dsr_dicom_identity *id, const struct dsr_identity_outcome *o);
/* Write @root to @path (pretty, atomically through a temporary file). 0 or -1. */
int json_save(json_t *root, const char *path);

/* The live position that @a sends to reference (@u, @v): its inverse, -1 if singular. */
int affine_invert_point(const struct dsr_affine *a, double u, double v, double *x, double *y);

/* ---- DICOM identity for outputs ----------------------------------------------------- */

/*
 * The identity a difference of @ref_path and @live_path carries, decided by libdsr's
 * dsr_identity_resolve() (identity.h): one patient, options that agree with DICOM
 * sources, a fresh study (@fresh, shared across a series) when no source is DICOM,
 * DSR_UNIDENTIFIED when nobody named the patient. @src[0..1] receive the reference's
 * and live's identities (SOP UIDs empty when not DICOM). 0, or -1 (dsr_error()).
 */
int identity_for(const char *ref_path, const char *live_path,
		 const struct dsr_identity_opts *io, const struct dsr_dicom_identity *fresh,
		 struct dsr_dicom_identity *out, struct dsr_dicom_identity src[2],
		 struct dsr_identity_outcome *outcome);
/* The shared fresh study for a series: an anonymous one with a new Study Instance UID,
 * or the --study-uid given. */
void identity_fresh(const struct dsr_identity_opts *io, struct dsr_dicom_identity *id);

/* getopt_long entries for the identity options (codes IDENTITY_OPT_FIRST..), spliced
 * into a command's table, and their handler: 1 if @opt was one of them and its value
 * is valid, -1 (dsr_error()) if invalid, 0 if @opt is not an identity option. */
#define IDENTITY_OPT_FIRST 0x400
#define IDENTITY_LONG_OPTIONS \
	{ "patient-name", required_argument, NULL, IDENTITY_OPT_FIRST + 0 }, \
	{ "patient-id", required_argument, NULL, IDENTITY_OPT_FIRST + 1 }, \
	{ "birth-date", required_argument, NULL, IDENTITY_OPT_FIRST + 2 }, \
	{ "sex", required_argument, NULL, IDENTITY_OPT_FIRST + 3 }, \
	{ "study-uid", required_argument, NULL, IDENTITY_OPT_FIRST + 4 }, \
	{ "study-id", required_argument, NULL, IDENTITY_OPT_FIRST + 5 }, \
	{ "accession", required_argument, NULL, IDENTITY_OPT_FIRST + 6 }, \
	{ "referring", required_argument, NULL, IDENTITY_OPT_FIRST + 7 }, \
	{ "accept-patient-mismatch", no_argument, NULL, IDENTITY_OPT_FIRST + 8 }
#define IDENTITY_HELP \
	"Patient identity (checked against the DICOM sources; required for others):\n" \
	"  --patient-name N --patient-id ID --birth-date YYYYMMDD|YYYY-MM-DD --sex M|F|O\n" \
	"  --study-uid UID --study-id ID --accession A --referring NAME\n" \
	"  values are checked against DICOM (refused, never truncated); UTF-8 text is\n" \
	"  written as ISO_IR 192. Without --patient-id for non-DICOM sources the DICOM\n" \
	"  output is marked UNIDENTIFIED.\n" \
	"  --accept-patient-mismatch  subtract sources of different patients anyway\n" \
	"                          (refused otherwise; recorded in the outputs)\n"
int identity_option(int opt, const char *arg, struct dsr_identity_opts *io);

/* ---- the dental record: teeth and visit dates (record.h) ---------------------------- */

#define RECORD_MAX_DATES 64
struct record_opts {
	const char *teeth_arg;
	enum dsr_tooth_numbering numbering;
	struct dsr_teeth teeth;		/* after record_opts_finish() */
	char dates[RECORD_MAX_DATES][9];	/* --dates, YYYYMMDD, in source order */
	size_t n_dates;
};
#define RECORD_OPT_FIRST 0x700	/* MEASURE_OPT_FIRST is 0x500 */
#define RECORD_LONG_OPTIONS \
	{ "teeth", required_argument, NULL, RECORD_OPT_FIRST + 0 }, \
	{ "tooth-numbering", required_argument, NULL, RECORD_OPT_FIRST + 1 }, \
	{ "dates", required_argument, NULL, RECORD_OPT_FIRST + 2 }
#define RECORD_HELP \
	"Dental record:\n" \
	"  --teeth LIST            the teeth shown, e.g. 36,37 (coded into the DICOM)\n" \
	"  --tooth-numbering N     fdi (ISO 3950, default) or universal\n" \
	"  --dates D0,D1,...       visit dates (YYYY-MM-DD) of the sources in order, for\n" \
	"                          sources that are not DICOM (DICOM ones carry theirs)\n"
/* 1 if @c was a record option and @arg good, -1 (dsr_error()) if bad, 0 if not one. */
int record_option(struct record_opts *r, int c, const char *arg);
/* After all options: the teeth in their numbering. 0 or -1. */
int record_opts_finish(struct record_opts *r);
/* The visit of source @i: its DICOM acquisition date/time (@src), else --dates[i]; the
 * date is also filled into @src when it had none. Formatted into @buf. */
void record_visit(const struct record_opts *r, size_t i, struct dsr_dicom_identity *src,
		  char *buf, size_t size);
/* The record for report.json: teeth (FDI and Universal), procedure, legend. */
json_t *json_record(const struct record_opts *r);
/* What the difference shows, in words (report.json, the montage's header). */
#define RECORD_LEGEND \
	"difference: mid-grey = no change, darker = less dense at follow-up (loss), " \
	"brighter = denser (gain); out of field (no baseline there, value 0, hatched in the " \
	"montage) is not compared"

/* Parse "a11,a12,tx,a21,a22,ty" (the JSON order). 0, or -1 with dsr_error(). */
int parse_affine(const char *s, struct dsr_affine *a);

/* ---- progress --------------------------------------------------------------------- */

/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
struct progress {
	int tty;
	size_t item, items;	/* which of how many (series members) */
	const char *label;
	double lo, span;	/* a stage's fractions 0..1 map to lo..lo+span of the item */
};
void progress_init(struct progress *pg, size_t items);
/* dsr_progress_fn: @ctx is a struct progress. */
void progress_update(void *ctx, double fraction, const char *stage);
void progress_done(struct progress *pg);

#endif /* DSR_TOOL_PIPELINE_H */

/*
 * pacs.h - the clinic's PACS over DICOM networking (DCMTK's dcmnet): find a patient's
 * prior intraoral images (C-FIND), retrieve one as a baseline (C-GET, or C-MOVE to a
 * storage SCP this process runs for the time of the retrieval), store results (C-STORE).
 *
 * Every failure is reported in dsr_error() in words a user can act on: the PACS is not
 * reachable (nothing listens, or it does not answer within the timeout), it rejected the
 * association (and why: unknown called or calling AE title, ...), it accepted none of the
 * SOP classes asked for, it refused an object (with the DICOM status). A retrieved file
 * appears at its destination only complete (temporary file and rename); a store reports
 * per file what the PACS confirmed, and nothing else counts as stored.
 *
 * Replies from the PACS are untrusted: every value taken from a C-FIND answer is checked
 * (UIDs, dates, codes, lengths) by dsr_pacs_parse_answer(), which the fuzzers exercise.
 */
#ifndef DSR_PACS_H
#define DSR_PACS_H

#include <stddef.h>
#include <stdint.h>

#include "dicom.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DSR_PACS_AE_LEN		17	/* AE: 16 characters */
#define DSR_PACS_HOST_LEN	256
#define DSR_PACS_TEETH_LEN	128

enum dsr_pacs_retrieve { DSR_PACS_GET, DSR_PACS_MOVE };

/* Where the PACS is and how to talk to it. */
struct dsr_pacs_config {
	char calling_ae[DSR_PACS_AE_LEN];	/* ours (default DSR) */
	char called_ae[DSR_PACS_AE_LEN];	/* the PACS's (default PACS) */
	char host[DSR_PACS_HOST_LEN];		/* default 127.0.0.1 */
	unsigned port;				/* default 104 */
	unsigned timeout;			/* seconds: connect, association, each reply (10) */
	enum dsr_pacs_retrieve retrieve;	/* get (default) or move */
	unsigned move_port;			/* C-MOVE: our storage SCP's port (default 11113) */
};

/* Defaults, then the file (if any), then options: later settings win. */
void dsr_pacs_config_default(struct dsr_pacs_config *c);
/*
 * One setting by name: calling_ae, called_ae, host, port, timeout, retrieve (get|move),
 * move_port. Values are checked (AE titles: 1..16 printable ASCII characters without
 * backslash, not all spaces; ports 1..65535; timeout 1..3600). 0, or -1 with dsr_error().
 */
int dsr_pacs_config_set(struct dsr_pacs_config *c, const char *key, const char *value);
/*
 * A config file: "key = value" lines, '#' comments, blank lines; unknown keys and bad
 * values are refused with the file and line. 0, or -1 (dsr_error()).
 */
int dsr_pacs_config_load(struct dsr_pacs_config *c, const char *path);

/* C-ECHO: is the PACS there and does it accept us? 0, or -1 (dsr_error()). */
int dsr_pacs_echo(const struct dsr_pacs_config *c);

/* What to look for. NULL or "" = any. */
struct dsr_pacs_query {
	const char *patient_id;		/* required */
	const char *modalities;		/* e.g. "IO\\DX" (default "IO\\DX") */
	const char *date_from, *date_to;	/* YYYYMMDD, inclusive (study date) */
	const char *tooth;		/* FDI or Universal number the image must show */
	int include_derived;		/* also DERIVED images (differences, overlays) */
	const char *sop_uid;		/* just this instance, any modality (verification) */
};

/* One image found. Strings are empty when the PACS did not say. */
struct dsr_pacs_match {
	char patient_id[DSR_DICOM_LO_LEN];
	char patient_name[DSR_DICOM_PN_LEN];
	char study_uid[DSR_DICOM_UID_LEN];
	char series_uid[DSR_DICOM_UID_LEN];
	char sop_uid[DSR_DICOM_UID_LEN];
	char sop_class_uid[DSR_DICOM_UID_LEN];
	char modality[DSR_DICOM_SH_LEN];
	char study_date[DSR_DICOM_DA_LEN];
	char date[DSR_DICOM_DA_LEN];		/* acquisition, else content, else study date */
	char time[DSR_DICOM_TM_LEN];
	char series_description[DSR_DICOM_LO_LEN];
	char teeth[DSR_PACS_TEETH_LEN];		/* tooth codes found, space-separated */
	int derived;				/* ImageType says DERIVED */
};

/*
 * Check one C-FIND answer (@ds: a DcmDataset*, as void* for C) and fill @m. A missing
 * SOP/Study/Series Instance UID, a malformed UID, date or time, or a value too long is
 * refused (-1, dsr_error() naming the attribute).
 */
int dsr_pacs_parse_answer(const void *ds, struct dsr_pacs_match *m);
/* The same from the bytes of a dataset in implicit VR little endian (fuzzing, tests). */
int dsr_pacs_parse_answer_bytes(const void *buf, size_t len, struct dsr_pacs_match *m);

/* The same description of a DICOM file on disk (pixels not read): its UIDs, date, teeth. */
int dsr_pacs_describe_file(const char *path, struct dsr_pacs_match *m);

/* A tooth as a user gives it - "36" or "fdi:36" (FDI, ISO 3950), "U19", "universal:19" or
 * "universal:K" (Universal) - as its FDI number; 0 if it is not a tooth. */
int dsr_pacs_tooth_fdi(const char *tooth);
/* Does @m show @tooth (FDI "36" or Universal "19", either matches the other's code)? */
int dsr_pacs_match_tooth(const struct dsr_pacs_match *m, const char *tooth);

/*
 * C-FIND (Study Root, IMAGE level) for @q; answers that fail dsr_pacs_parse_answer() are
 * skipped and counted in @rejected (may be NULL). The matches are sorted newest first
 * (date, time) into a malloc'd array (*@out, free()). 0, or -1 (dsr_error()).
 */
int dsr_pacs_find(const struct dsr_pacs_config *c, const struct dsr_pacs_query *q,
		  struct dsr_pacs_match **out, size_t *n, size_t *rejected);

/*
 * Retrieve one instance (by its study, series and SOP Instance UIDs) into @path, by C-GET
 * or C-MOVE per @c (C-GET falls back to C-MOVE when the PACS does not offer it). The file
 * appears only when it arrived whole and is the instance asked for. 0, or -1.
 */
int dsr_pacs_retrieve(const struct dsr_pacs_config *c, const struct dsr_pacs_match *m,
		      const char *path);

/* What became of one file sent by C-STORE. */
struct dsr_pacs_stored {
	const char *path;
	int stored;		/* the PACS confirmed it: success or a warning status */
	unsigned status;	/* DIMSE status of the reply, 0xffffffff = no reply */
	char sop_uid[DSR_DICOM_UID_LEN];
	char message[256];	/* why not, or the warning */
};

/*
 * C-STORE every file of @paths over one association, each in its own transfer syntax.
 * @res[i] says what happened to @paths[i]; after a lost association the rest are marked
 * not stored. Returns the number stored, or -1 (dsr_error()) if nothing could be sent at
 * all (no association); the caller compares the count with @n.
 */
int dsr_pacs_store(const struct dsr_pacs_config *c, const char *const *paths, size_t n,
		   struct dsr_pacs_stored *res);

/*
 * After C-STORE: ask the PACS (C-FIND) whether it now holds each file that it confirmed,
 * as the patient of the file. A PACS may acknowledge an object and drop it (a filter, a
 * full disk): such files get stored = 0 and a message saying so. Returns the number
 * still counted as stored, or -1 (dsr_error()) if the PACS could not be asked.
 */
int dsr_pacs_verify(const struct dsr_pacs_config *c, struct dsr_pacs_stored *res, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* DSR_PACS_H */

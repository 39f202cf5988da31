/*
 * pacs_ref.h - the PACS glue the commands share: the connection settings (config file,
 * $DSR_PACS_CONFIG, ~/.config/dsr/pacs.conf), a baseline named pacs:latest or
 * pacs:SOP-UID fetched for series/subtract/calibrate, and storing a run's DICOM files
 * with a per-file account of what the PACS confirmed.
 */
#ifndef DSR_TOOL_PACS_REF_H
#define DSR_TOOL_PACS_REF_H

#include <stddef.h>

#include "dsr/pacs.h"

/*
 * Defaults, then @path if given, else $DSR_PACS_CONFIG if set, else
 * $XDG_CONFIG_HOME/dsr/pacs.conf or ~/.config/dsr/pacs.conf if it exists. 0 or -1.
 */
int pacs_config_init(struct dsr_pacs_config *c, const char *path);

/*
 * @spec is a file, or "pacs:latest" (the newest non-derived IO/DX image of the follow-up
 * @live_path's patient that is not the follow-up itself and not newer than it) or
 * "pacs:SOP-UID" (that instance of the follow-up's patient). A PACS baseline is fetched
 * into a temporary file removed at exit; its path (or @spec) goes to @out. With @note
 * non-NULL, a line saying what was fetched is written there. 0, or -1 (dsr_error()).
 */
int pacs_resolve_reference(const char *spec, const char *live_path, char *out, size_t size,
			   char *note, size_t note_size);

/*
 * The hook series, subtract and calibrate call on their REF: *@ref_path naming the PACS
 * is replaced by the fetched file (in @buf) and a line says what was fetched. Returns 0,
 * or -1 after printing "dsr @cmd: <why>" on stderr.
 */
int pacs_reference_hook(const char *cmd, const char **ref_path, const char *live_path,
			char *buf, size_t size);

/* A list of files to store. */
struct pacs_files {
	char **paths;
	size_t n, cap;
};

void pacs_files_init(struct pacs_files *f);
void pacs_files_free(struct pacs_files *f);
int pacs_files_add(struct pacs_files *f, const char *path);
/* The DICOM files a series or calibrate report lists: differences; with @overlay the
 * overlays, with @followup the DICOM follow-ups (sent first, the sources before what
 * was derived from them). 0 or -1. */
int pacs_files_from_report(struct pacs_files *f, const char *report, int overlay, int followup);
/* C-STORE them, one line per file on stdout ("stored" only when confirmed, and with
 * @verify only when a C-FIND then finds it), optionally a JSON receipt. Returns the
 * number stored, -1 if nothing could be sent or the verification could not be made. */
int pacs_store_files(const struct dsr_pacs_config *c, const struct pacs_files *f,
		     const char *receipt, int verify);

#endif /* DSR_TOOL_PACS_REF_H */

/*
 * outputs.h - writing results without destroying anything: an output is never one of
 * the inputs (the real files are compared, whatever their names), and a directory of
 * results carries a manifest of what was written, so that a rerun replaces exactly the
 * previous run's files and nothing else. Files themselves are written atomically by
 * their writers (temporary file + rename).
 */
#ifndef DSR_OUTPUTS_H
#define DSR_OUTPUTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The manifest's file name inside an output directory. */
#define DSR_MANIFEST_NAME "manifest.json"

/*
 * 0 if writing @out cannot overwrite any of the @n_inputs files @inputs (compared by
 * device and inode, so links and other spellings count), -1 with dsr_error() naming
 * both otherwise. An @out that does not exist yet is never an input.
 */
int dsr_output_check(const char *out, const char *const *inputs, size_t n_inputs);

/*
 * Prepare @dir for a run's outputs: created if missing; an empty directory is fine; a
 * non-empty one is refused unless @force, and with @force only the files the previous
 * run's manifest lists are removed (other files stay; a missing manifest removes
 * nothing); a listed file that is one of @inputs is refused before anything is removed.
 * @removed receives how many files went. 0 or -1 (dsr_error()).
 */
int dsr_output_dir_prepare(const char *dir, int force, const char *const *inputs,
			   size_t n_inputs, size_t *removed);

/* What one run wrote into its directory: names relative to the directory. */
struct dsr_manifest {
	char **files;
	size_t n, cap;
};

/* Note @name (a file inside the directory; "dir/name" paths are cut to the name). */
int dsr_manifest_add(struct dsr_manifest *m, const char *name);
/* Write @m as DIR/manifest.json (atomically); 0 or -1. */
int dsr_manifest_save(const struct dsr_manifest *m, const char *dir, const char *command);
void dsr_manifest_free(struct dsr_manifest *m);

#ifdef __cplusplus
}
#endif

#endif /* DSR_OUTPUTS_H */

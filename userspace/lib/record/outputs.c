/*
 * outputs.c - outputs that never overwrite an input, and the manifest of an output
 * directory (outputs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "dsr/error.h"
#include "dsr/outputs.h"

int dsr_output_check(const char *out, const char *const *inputs, size_t n_inputs)
{
	struct stat so, si;

	if (stat(out, &so) != 0)
		return 0;	/* not there yet: cannot be an input */
	for (size_t i = 0; i < n_inputs; i++)
		if (inputs[i] && stat(inputs[i], &si) == 0 && si.st_dev == so.st_dev &&
		    si.st_ino == so.st_ino)
			return dsr_seterr("%s would overwrite the input %s (the same file): choose "
					  "another output", out, inputs[i]);
	return 0;
}

/* Entries of @dir other than . and ..; -1 if it cannot be read. */
static long count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* A manifest entry is a plain name inside the directory, nothing else. */
static int plain_name(const char *s)
{
	return s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Remove what @dir's manifest lists, then the manifest; first make sure none of it is an
 * input (pass 0 checks, pass 1 removes). */
static int remove_listed(const char *dir, const char *const *inputs, size_t n_inputs,
			 size_t *removed)
{
	char path[4096];
	json_error_t jerr;
	json_t *root, *files;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, DSR_MANIFEST_NAME);
	if (access(path, F_OK) != 0)
		return 0;
	root = json_load_file(path, 0, &jerr);
	files = root ? json_object_get(root, "files") : NULL;
	if (!json_is_array(files)) {
		json_decref(root);
		return dsr_seterr("%s: not a manifest dsr wrote (%s); remove the old outputs "
				  "yourself", path, root ? "no \"files\" list" : jerr.text);
	}
	for (i = 0; i < 2 * json_array_size(files); i++) {
		size_t k = i % json_array_size(files);
		const char *name = json_string_value(json_array_get(files, k));
		char f[4096];

		if (!name || !plain_name(name))
			continue;	/* never outside the directory */
		snprintf(f, sizeof(f), "%s/%s", dir, name);
		if (i < json_array_size(files)) {
			if (dsr_output_check(f, inputs, n_inputs) < 0) {
				json_decref(root);
				return -1;
			}
			continue;
		}
		if (unlink(f) == 0)
			(*removed)++;
		else if (errno != ENOENT) {
			json_decref(root);
			return dsr_seterr("%s: cannot remove the previous run's file: %s", f,
					  strerror(errno));
		}
	}
	json_decref(root);
	unlink(path);
	return 0;
}

int dsr_output_dir_prepare(const char *dir, int force, const char *const *inputs,
			   size_t n_inputs, size_t *removed)
{
	struct stat st;
	long n;

	*removed = 0;
	if (mkdir(dir, 0777) != 0 && !(errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return dsr_seterr("%s: cannot create the output directory: %s", dir,
				  strerror(errno));
	n = count_entries(dir);
	if (n < 0)
		return dsr_seterr("%s: cannot read the output directory: %s", dir, strerror(errno));
	if (n == 0)
		return 0;
	if (!force)
		return dsr_seterr("%s is not empty (%ld entries): choose a new directory, or "
				  "--force to replace the files its previous run listed in %s",
				  dir, n, DSR_MANIFEST_NAME);
	return remove_listed(dir, inputs, n_inputs, removed);
}

int dsr_manifest_add(struct dsr_manifest *m, const char *name)
{
	const char *slash = strrchr(name, '/');

	if (slash)
		name = slash + 1;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		char **f = realloc(m->files, cap * sizeof(*f));

		if (!f)
			return dsr_seterr("out of memory for the manifest");
		m->files = f;
		m->cap = cap;
	}
	m->files[m->n] = strdup(name);
	if (!m->files[m->n])
		return dsr_seterr("out of memory for the manifest");
	m->n++;
	return 0;
}

int dsr_manifest_save(const struct dsr_manifest *m, const char *dir, const char *command)
{
	char path[4096], tmp[4200];
	json_t *root = json_object(), *files = json_array();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(files, json_string(m->files[i]));
	json_object_set_new(root, "command", json_string(command));
	json_object_set_new(root, "files", files);
	snprintf(path, sizeof(path), "%s/%s", dir, DSR_MANIFEST_NAME);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_INDENT(2)) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		json_decref(root);
		return dsr_seterr("%s: cannot write the manifest", path);
	}
	json_decref(root);
	return 0;
}

void dsr_manifest_free(struct dsr_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->files[i]);
	free(m->files);
	memset(m, 0, sizeof(*m));
}

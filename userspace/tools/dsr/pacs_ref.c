/*
 * pacs_ref.c - PACS glue for the commands: settings, a baseline from the PACS, storing a
 * run's results. See pacs_ref.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "dsr/dicom.h"
#include "dsr/error.h"
#include "pacs_ref.h"
#include "pipeline.h"

int pacs_config_init(struct dsr_pacs_config *c, const char *path)
{
	char def[PATH_MAX];
	const char *env = getenv("DSR_PACS_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"),
		   *home = getenv("HOME");

	dsr_pacs_config_default(c);
	if (path)
		return dsr_pacs_config_load(c, path);
	if (env && *env)
		return dsr_pacs_config_load(c, env);
	if (xdg && *xdg)
		snprintf(def, sizeof(def), "%s/dsr/pacs.conf", xdg);
	else if (home && *home)
		snprintf(def, sizeof(def), "%s/.config/dsr/pacs.conf", home);
	else
		return 0;
	return access(def, F_OK) == 0 ? dsr_pacs_config_load(c, def) : 0;
}

/* ---- a baseline from the PACS -------------------------------------------------------- */

static char fetched_dir[PATH_MAX];

static void remove_fetched(void)
{
	char p[PATH_MAX + 32];

	if (!fetched_dir[0])
		return;
	snprintf(p, sizeof(p), "%s/baseline.dcm", fetched_dir);
	unlink(p);
	rmdir(fetched_dir);
}

/* Does the prior @p show one of the follow-up's teeth (any, if the follow-up names none)? */
static int same_teeth(const struct dsr_pacs_match *p, const struct dsr_pacs_match *live)
{
	char t[DSR_PACS_TEETH_LEN], *save = NULL;

	if (!live->teeth[0])
		return 1;
	snprintf(t, sizeof(t), "%s", live->teeth);
	for (char *tok = strtok_r(t, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (dsr_pacs_match_tooth(p, tok))
			return 1;
	return 0;
}

/* The prior to use among @m[0..n) (newest first) for the follow-up @live: @want, or the
 * newest that is not the follow-up, not newer than it, and shows one of its teeth. */
static const struct dsr_pacs_match *choose(const struct dsr_pacs_match *m, size_t n,
					   const struct dsr_pacs_match *live, const char *want)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].sop_uid, live->sop_uid))
			continue;
		if (want) {
			if (!strcmp(m[i].sop_uid, want))
				return &m[i];
			continue;
		}
		if (live->date[0] && m[i].date[0] && strcmp(m[i].date, live->date) > 0)
			continue;
		if (same_teeth(&m[i], live))
			return &m[i];
	}
	return NULL;
}

int pacs_resolve_reference(const char *spec, const char *live_path, char *out, size_t size,
			   char *note, size_t note_size)
{
	struct dsr_pacs_config cfg;
	struct dsr_pacs_match live, *m = NULL;
	size_t n = 0;
	int rc = -1;

	if (strncmp(spec, "pacs:", 5)) {
		snprintf(out, size, "%s", spec);
		return 0;
	}
	const char *what = spec + 5;
	int latest = !strcmp(what, "latest");
	if (!latest && !*what)
		return dsr_seterr("'%s': expected pacs:latest or pacs:SOP-UID", spec);
	if (!live_path || !dsr_dicom_probe(live_path) || dsr_pacs_describe_file(live_path, &live) < 0 ||
	    !live.patient_id[0])
		return dsr_seterr("%s: a baseline from the PACS needs a DICOM follow-up with a Patient ID "
				  "(to know whose prior to fetch)", spec);
	if (pacs_config_init(&cfg, NULL) < 0)
		return -1;
	struct dsr_pacs_query q = { .patient_id = live.patient_id, .include_derived = !latest };
	if (dsr_pacs_find(&cfg, &q, &m, &n, NULL) < 0)
		return -1;
	const struct dsr_pacs_match *pick = choose(m, n, &live, latest ? NULL : what);
	if (!pick) {
		dsr_seterr("%s: the PACS has no %s of patient %s", spec,
			   latest ? (live.teeth[0] ? "earlier intraoral (IO/DX) image of the same tooth"
				     : "earlier intraoral (IO/DX) image") : "such instance", live.patient_id);
		goto out;
	}
	if (!fetched_dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(fetched_dir, sizeof(fetched_dir), "%s/dsr-pacs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fetched_dir)) {
			fetched_dir[0] = '\0';
			dsr_seterr("cannot make a directory for the baseline: %s", strerror(errno));
			goto out;
		}
		atexit(remove_fetched);
	}
	snprintf(out, size, "%s/baseline.dcm", fetched_dir);
	if (dsr_pacs_retrieve(&cfg, pick, out) < 0)
		goto out;
	if (note)
		snprintf(note, note_size, "baseline from the PACS: %s of %s, %s", pick->sop_uid,
			 pick->date[0] ? pick->date : "unknown date", pick->modality);
	rc = 0;
out:
	free(m);
	return rc;
}

int pacs_reference_hook(const char *cmd, const char **ref_path, const char *live_path,
			char *buf, size_t size)
{
	char note[512] = "";

	if (!*ref_path || strncmp(*ref_path, "pacs:", 5))
		return 0;
	if (pacs_resolve_reference(*ref_path, live_path, buf, size, note, sizeof(note)) < 0) {
		fprintf(stderr, "dsr %s: %s\n", cmd, dsr_error());
		return -1;
	}
	printf("%s\n", note);
	*ref_path = buf;
	return 0;
}

/* ---- storing results ------------------------------------------------------------------ */

void pacs_files_init(struct pacs_files *f)
{
	memset(f, 0, sizeof(*f));
}

void pacs_files_free(struct pacs_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	memset(f, 0, sizeof(*f));
}

int pacs_files_add(struct pacs_files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->paths[i], path))
			return 0;
	if (!dsr_dicom_probe(path))
		return dsr_seterr("%s: not a DICOM file", path);
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		char **p = realloc(f->paths, cap * sizeof(*p));
		if (!p)
			return dsr_seterr("out of memory");
		f->paths = p;
		f->cap = cap;
	}
	f->paths[f->n] = strdup(path);
	return f->paths[f->n] ? (f->n++, 0) : dsr_seterr("out of memory");
}

/* A string at @key of @obj, or NULL. */
static const char *str_at(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* One report entry (a series member or the calibrate report itself) into @f. */
static int add_entry(struct pacs_files *f, json_t *e, int overlay, int followup)
{
	const char *live = str_at(e, "live"), *diff = str_at(json_object_get(e, "difference"), "dicom");
	const char *ov = str_at(json_object_get(e, "overlay"), "dicom");
	if (!diff)
		diff = str_at(json_object_get(e, "dicom"), "file");
	if (followup && live && dsr_dicom_probe(live) && pacs_files_add(f, live) < 0)
		return -1;
	if (diff && pacs_files_add(f, diff) < 0)
		return -1;
	if (overlay && ov && pacs_files_add(f, ov) < 0)
		return -1;
	return 0;
}

int pacs_files_from_report(struct pacs_files *f, const char *report, int overlay, int followup)
{
	json_error_t err;
	json_t *r = json_load_file(report, 0, &err), *members;
	size_t before = f->n;
	int rc = 0;

	if (!r)
		return dsr_seterr("%s: %s (line %d)", report, err.text, err.line);
	members = json_object_get(r, "members");
	if (json_is_array(members)) {
		for (size_t i = 0; rc == 0 && i < json_array_size(members); i++)
			rc = add_entry(f, json_array_get(members, i), overlay, followup);
	} else {
		rc = add_entry(f, r, overlay, followup);
	}
	json_decref(r);
	if (rc == 0 && f->n == before)
		rc = dsr_seterr("%s lists no DICOM output (was it run with DICOM sources or --dicom?)",
				report);
	return rc;
}

static int write_receipt(const char *path, const struct dsr_pacs_config *c,
			 const struct dsr_pacs_stored *res, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_pack("{s:s, s:b, s:s}", "file", res[i].path, "stored", res[i].stored,
				      "sop_instance_uid", res[i].sop_uid);
		if (res[i].status != 0xffffffffu)
			json_object_set_new(e, "status", json_integer(res[i].status));
		if (res[i].message[0])
			json_object_set_new(e, "message", json_string(res[i].message));
		json_array_append_new(a, e);
	}
	json_t *root = json_pack("{s:s, s:s, s:i, s:o}", "called_ae", c->called_ae, "host", c->host,
				 "port", (json_int_t)c->port, "files", a);
	int rc = json_save(root, path);
	json_decref(root);
	return rc;
}

int pacs_store_files(const struct dsr_pacs_config *c, const struct pacs_files *f,
		     const char *receipt, int verify)
{
	struct dsr_pacs_stored *res = calloc(f->n, sizeof(*res));
	if (!res) {
		fprintf(stderr, "dsr pacs: out of memory\n");
		return -1;
	}
	int stored = dsr_pacs_store(c, (const char *const *)f->paths, f->n, res);
	if (stored < 0)
		fprintf(stderr, "dsr pacs: %s\n", dsr_error());
	if (stored > 0 && verify) {
		int kept = dsr_pacs_verify(c, res, f->n);
		if (kept < 0)
			fprintf(stderr, "dsr pacs: cannot verify what was stored: %s\n", dsr_error());
		stored = kept;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (res[i].stored)
			printf("stored      %s  %s%s%s\n", res[i].path, res[i].sop_uid,
			       res[i].message[0] ? "  " : "", res[i].message);
		else
			printf("NOT stored  %s: %s\n", res[i].path, res[i].message);
	}
	printf("%d of %zu file(s) stored%s in '%s' at %s:%u\n", stored < 0 ? 0 : stored, f->n,
	       verify ? " and verified" : "", c->called_ae, c->host, c->port);
	if (receipt && write_receipt(receipt, c, res, f->n) < 0)
		fprintf(stderr, "dsr pacs: %s\n", dsr_error());
	free(res);
	return stored;
}

/*
 * cmd_pacs.c - `dsr pacs echo|find|get|store`: the clinic's PACS over DICOM networking
 * (libdsr's pacs.h on DCMTK's dcmnet). Where the PACS is comes from a config file
 * (--config, $DSR_PACS_CONFIG or ~/.config/dsr/pacs.conf) and options, options last.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "dsr/error.h"
#include "dsr/pacs.h"
#include "pacs_ref.h"
#include "util.h"

#define PACS_CMD "pacs"

struct pacs_opts {
	struct dsr_pacs_config cfg;
	struct dsr_pacs_query q;
	char modalities[64];
	const char *out, *report, *receipt, *sop, *study, *series;
	int index, json, with_overlay, with_followup, verify;
};

static void pacs_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr pacs echo [connection]\n"
		"       dsr pacs find --patient-id ID [query] [--json] [connection]\n"
		"       dsr pacs get (--patient-id ID [query] [--index N] | --study UID --series UID\n"
		"                    --sop UID) -o FILE [connection]\n"
		"       dsr pacs store (FILE.dcm ... | --report DIR/report.json [--with-overlay]\n"
		"                    [--with-followup]) [--verify] [--receipt FILE.json] [connection]\n"
		"The clinic's PACS (DICOM networking): find a patient's prior intraoral images\n"
		"(C-FIND), retrieve one as the baseline (C-GET, or C-MOVE), store results\n"
		"(C-STORE). A baseline can also be named as pacs:latest or pacs:SOP-UID in place of\n"
		"REF in dsr series, subtract and calibrate (the patient from the follow-up).\n\n"
		"query (find, get):\n"
		"      --patient-id ID     the patient (exact, required)\n"
		"      --modality M        IO, DX or both as IO,DX (default IO,DX)\n"
		"      --from YYYYMMDD --to YYYYMMDD   study date range, inclusive\n"
		"      --tooth T           FDI (36) or Universal (U19, UK) tooth shown\n"
		"      --derived           also derived images (earlier differences, overlays)\n"
		"      --index N           get: the N-th match, newest first (default 1)\n"
		"      --json              find: the matches as JSON on stdout\n"
		"store:\n"
		"      --report R          the DICOM files a dsr series/calibrate report lists\n"
		"      --with-overlay      with --report: the overlays too\n"
		"      --with-followup     with --report: the DICOM follow-ups too\n"
		"      --verify            count a file stored only when a C-FIND then finds it\n"
		"                          (a PACS may acknowledge an object and drop it)\n"
		"      --receipt F         what was stored, as JSON\n"
		"connection (after the config file; see docs/pacs.md):\n"
		"      --config FILE       key = value: calling_ae, called_ae, host, port,\n"
		"                          timeout, retrieve (get|move), move_port\n"
		"      --aet AE            our AE title (default DSR)\n"
		"      --aec AE            the PACS's AE title (default PACS)\n"
		"      --host H --port P   where the PACS listens (default 127.0.0.1:104)\n"
		"      --timeout S         seconds for connect, association and each reply (10)\n"
		"      --retrieve get|move C-GET (default) or C-MOVE to us on --move-port\n"
		"      --move-port P       our port for C-MOVE (default 11113)\n"
		"  -h, --help              this help\n\n"
		"exit status: 0 done (store: every file confirmed stored), 1 failed or a file\n"
		"not stored, 2 usage error\n");
}

enum {
	O_CONFIG = 0x600, O_AET, O_AEC, O_HOST, O_PORT, O_TIMEOUT, O_RETRIEVE, O_MOVE_PORT,
	O_PATIENT, O_MODALITY, O_FROM, O_TO, O_TOOTH, O_DERIVED, O_INDEX, O_JSON, O_REPORT,
	O_OVERLAY, O_FOLLOWUP, O_RECEIPT, O_SOP, O_STUDY, O_SERIES, O_VERIFY,
};

/* Connection options on top of the config: key names as in the file. */
static int connection_option(struct pacs_opts *o, int c, const char *arg)
{
	static const char *const keys[] = { "calling_ae", "called_ae", "host", "port", "timeout",
					    "retrieve", "move_port" };
	if (c < O_AET || c > O_MOVE_PORT)
		return 0;
	return dsr_pacs_config_set(&o->cfg, keys[c - O_AET], arg) < 0 ? -1 : 1;
}

/* YYYYMMDD, a real date (the library checks the calendar). */
static int check_date(const char *opt, const char *arg)
{
	if (strlen(arg) != 8 || strspn(arg, "0123456789") != 8)
		return dsr_seterr("%s '%s': expected a date YYYYMMDD", opt, arg);
	return 1;
}

static int query_option(struct pacs_opts *o, int c, const char *arg)
{
	char *end;
	switch (c) {
	case O_PATIENT: o->q.patient_id = arg; return 1;
	case O_MODALITY:
		if (strlen(arg) >= sizeof(o->modalities))
			return dsr_seterr("--modality '%s': too long", arg);
		snprintf(o->modalities, sizeof(o->modalities), "%s", arg);
		for (char *p = o->modalities; *p; p++)
			if (*p == ',')
				*p = '\\';
		o->q.modalities = o->modalities;
		return 1;
	case O_FROM: o->q.date_from = arg; return check_date("--from", arg);
	case O_TO: o->q.date_to = arg; return check_date("--to", arg);
	case O_TOOTH:
		o->q.tooth = arg;
		if (!dsr_pacs_tooth_fdi(arg))
			return dsr_seterr("--tooth '%s': expected an FDI number (11..48, 51..85) or U1..U32, "
					  "UA..UT (Universal)", arg);
		return 1;
	case O_DERIVED: o->q.include_derived = 1; return 1;
	case O_INDEX:
		o->index = (int)strtol(arg, &end, 10);
		if (*end || o->index < 1 || o->index > 100000)
			return dsr_seterr("--index '%s': expected 1, 2, ...", arg);
		return 1;
	default:
		return 0;
	}
}

static int other_option(struct pacs_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'o': o->out = arg; return 1;
	case O_JSON: o->json = 1; return 1;
	case O_REPORT: o->report = arg; return 1;
	case O_OVERLAY: o->with_overlay = 1; return 1;
	case O_FOLLOWUP: o->with_followup = 1; return 1;
	case O_RECEIPT: o->receipt = arg; return 1;
	case O_VERIFY: o->verify = 1; return 1;
	case O_SOP: o->sop = arg; return 1;
	case O_STUDY: o->study = arg; return 1;
	case O_SERIES: o->series = arg; return 1;
	default: return 0;
	}
}

/* argv from the subcommand on; 0, 1 for --help, -1 usage error (dsr_error()). */
static int pacs_parse(int argc, char **argv, struct pacs_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "aet", required_argument, NULL, O_AET },
		{ "aec", required_argument, NULL, O_AEC },
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "retrieve", required_argument, NULL, O_RETRIEVE },
		{ "move-port", required_argument, NULL, O_MOVE_PORT },
		{ "patient-id", required_argument, NULL, O_PATIENT },
		{ "modality", required_argument, NULL, O_MODALITY },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "tooth", required_argument, NULL, O_TOOTH },
		{ "derived", no_argument, NULL, O_DERIVED },
		{ "index", required_argument, NULL, O_INDEX },
		{ "json", no_argument, NULL, O_JSON },
		{ "report", required_argument, NULL, O_REPORT },
		{ "with-overlay", no_argument, NULL, O_OVERLAY },
		{ "with-followup", no_argument, NULL, O_FOLLOWUP },
		{ "receipt", required_argument, NULL, O_RECEIPT },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "sop", required_argument, NULL, O_SOP },
		{ "study", required_argument, NULL, O_STUDY },
		{ "series", required_argument, NULL, O_SERIES },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->index = 1;
	/* the config file first, wherever --config stands, so options override it */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			config = argv[i] + 9;
	}
	if (pacs_config_init(&o->cfg, config) < 0)
		return -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		int r;
		if (c == 'h')
			return 1;
		if (c == O_CONFIG)
			continue;
		r = connection_option(o, c, optarg);
		if (!r)
			r = query_option(o, c, optarg);
		if (!r)
			r = other_option(o, c, optarg);
		if (r < 0)
			return -1;
		if (!r)
			return dsr_seterr("unknown option or missing value: '%s'", argv[optind - 1]);
	}
	return 0;
}

static void print_match(size_t i, const struct dsr_pacs_match *m)
{
	printf("%2zu  %.4s-%.2s-%.2s %-6.6s %-3s  teeth %-8s  %s  %s\n", i + 1, m->date,
	       m->date + 4, m->date + 6, m->time, m->modality, m->teeth[0] ? m->teeth : "-",
	       m->sop_uid, m->series_description);
}

static json_t *json_match(const struct dsr_pacs_match *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
			 "patient_id", m->patient_id, "patient_name", m->patient_name,
			 "study_instance_uid", m->study_uid, "series_instance_uid", m->series_uid,
			 "sop_instance_uid", m->sop_uid, "sop_class_uid", m->sop_class_uid,
			 "modality", m->modality, "date", m->date, "time", m->time, "teeth",
			 m->teeth, "series_description", m->series_description, "derived", m->derived);
}

static int do_find(struct pacs_opts *o)
{
	struct dsr_pacs_match *m;
	size_t n, rejected;

	if (dsr_pacs_find(&o->cfg, &o->q, &m, &n, &rejected) < 0)
		return cli_fail(PACS_CMD);
	if (o->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_match(&m[i]));
		char *s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", s ? s : "[]");
		free(s);
		json_decref(a);
	} else {
		for (size_t i = 0; i < n; i++)
			print_match(i, &m[i]);
		printf("%zu prior image(s) of patient %s", n, o->q.patient_id);
		printf(rejected ? ", %zu malformed answer(s) ignored\n" : "\n", rejected);
	}
	free(m);
	return DSR_EXIT_OK;
}

static int do_get(struct pacs_opts *o)
{
	struct dsr_pacs_match pick, *m = NULL;
	size_t n = 0;

	if (!o->out)
		return cli_usage_error(PACS_CMD, "get needs -o FILE");
	if (o->sop || o->study || o->series) {
		if (!o->sop || !o->study || !o->series)
			return cli_usage_error(PACS_CMD, "--sop, --study and --series go together");
		memset(&pick, 0, sizeof(pick));
		if (strlen(o->sop) >= sizeof(pick.sop_uid) || strlen(o->study) >= sizeof(pick.study_uid) ||
		    strlen(o->series) >= sizeof(pick.series_uid))
			return cli_usage_error(PACS_CMD, "a UID has at most 64 characters");
		strcpy(pick.sop_uid, o->sop);
		strcpy(pick.study_uid, o->study);
		strcpy(pick.series_uid, o->series);
	} else {
		if (!o->q.patient_id)
			return cli_usage_error(PACS_CMD, "get needs --patient-id (or --study/--series/--sop)");
		if (dsr_pacs_find(&o->cfg, &o->q, &m, &n, NULL) < 0)
			return cli_fail(PACS_CMD);
		if ((size_t)o->index > n) {
			free(m);
			fprintf(stderr, "dsr pacs: patient %s has %zu matching prior image(s), no #%d\n",
				o->q.patient_id, n, o->index);
			return DSR_EXIT_FAIL;
		}
		pick = m[o->index - 1];
		free(m);
	}
	if (dsr_pacs_retrieve(&o->cfg, &pick, o->out) < 0)
		return cli_fail(PACS_CMD);
	printf("retrieved %s%s%s -> %s\n", pick.sop_uid, pick.date[0] ? " of " : "", pick.date, o->out);
	return DSR_EXIT_OK;
}

static int do_store(struct pacs_opts *o, int argc, char **argv)
{
	struct pacs_files files;
	int rc = DSR_EXIT_OK;

	pacs_files_init(&files);
	if (o->report) {
		if (pacs_files_from_report(&files, o->report, o->with_overlay, o->with_followup) < 0) {
			pacs_files_free(&files);
			return cli_fail(PACS_CMD);
		}
	} else if (o->with_overlay || o->with_followup) {
		return cli_usage_error(PACS_CMD, "--with-overlay and --with-followup go with --report");
	}
	for (int i = optind; i < argc; i++)
		if (pacs_files_add(&files, argv[i]) < 0) {
			pacs_files_free(&files);
			return cli_fail(PACS_CMD);
		}
	if (files.n == 0) {
		pacs_files_free(&files);
		return cli_usage_error(PACS_CMD, "store: no DICOM files (give FILEs or --report)");
	}
	int stored = pacs_store_files(&o->cfg, &files, o->receipt, o->verify);
	if (stored < 0 || (size_t)stored != files.n)
		rc = DSR_EXIT_FAIL;
	pacs_files_free(&files);
	return rc;
}

int cmd_pacs(int argc, char **argv)
{
	struct pacs_opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		pacs_usage(sub ? stdout : stderr);
		return sub ? DSR_EXIT_OK : DSR_EXIT_USAGE;
	}
	int r = pacs_parse(argc - 1, argv + 1, &o);
	if (r == 1) {
		pacs_usage(stdout);
		return DSR_EXIT_OK;
	}
	if (r < 0)
		return cli_usage_error(PACS_CMD, NULL);
	optind += 1;	/* back to indices of the full argv */
	if (!strcmp(sub, "echo")) {
		if (dsr_pacs_echo(&o.cfg) < 0)
			return cli_fail(PACS_CMD);
		printf("PACS '%s' at %s:%u answers C-ECHO (we are '%s')\n", o.cfg.called_ae, o.cfg.host,
		       o.cfg.port, o.cfg.calling_ae);
		return DSR_EXIT_OK;
	}
	if (!strcmp(sub, "find")) {
		if (!o.q.patient_id)
			return cli_usage_error(PACS_CMD, "find needs --patient-id");
		return do_find(&o);
	}
	if (!strcmp(sub, "get"))
		return do_get(&o);
	if (!strcmp(sub, "store"))
		return do_store(&o, argc, argv);
	return cli_usage_error(PACS_CMD, "'%s' is not a pacs command (echo, find, get, store)", sub);
}

/*
 * cmd_series.c - `dsr series REF LIVE1 LIVE2 ... -o DIR`: one baseline against several
 * follow-ups, the "two or more images" of the procedure. Each follow-up is registered
 * against the reference on its own, contrast-matched and subtracted by the reference
 * model (the same arithmetic as the board); each difference is written as a 16-bit PNG
 * and, for DICOM sources or with --dicom, as a DICOM derived image in the patient's
 * study; a montage shows the whole series and a JSON report says what was done.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/montage.h"
#include "dsr/record.h"
#include "dsr/outputs.h"
#include "dsr/dicom_color.h"
#include "measure_out.h"
#include "pacs_ref.h"
#include "pipeline.h"

struct series_opts {
	const char *outdir, *montage, *ref_path;
	int dicom, no_montage, have_lesion, quiet, force;
	double lesion[3];	/* reference x, y, radius */
	struct pair_opts pair;
	struct dsr_identity_opts id;
	struct measure_opts meas;
	struct record_opts rec;
};

/* What one member leaves for the montage. */
struct member_out {
	struct dsr_image *live, *diff;
	uint8_t *valid;		/* the difference's field (model.h) */
	uint32_t midgrey;
	char label[160], failure[512];
};

static void series_usage(FILE *f)
{
	fprintf(f,
		"usage: dsr series REF LIVE1 [LIVE2 ...] -o DIR [options]\n"
		"One reference (baseline) against several live (follow-up) images, each registered\n"
		"on its own; writes DIR/difference-NN.png (16-bit), DIR/difference-NN.dcm (DICOM\n"
		"sources or --dicom), DIR/montage.png and DIR/report.json.\n\n"
		"  -o, --output DIR        where to write (created if missing)\n"
		"      --dicom             write DICOM differences even for non-DICOM sources\n"
		"      --montage FILE      montage path (default DIR/montage.png)\n"
		"      --no-montage        do not write a montage\n"
		"      --force             DIR is not empty: replace the files its previous run\n"
		"                          listed in DIR/manifest.json (nothing else)\n"
		"  -m, --model M           translation|rigid|similarity|affine|projective|auto\n"
		"                          (default auto: projective only where it lowers the\n"
		"                          residual by more than noise explains)\n"
		"      --lut METHOD        histogram|linear|identity (default histogram)\n"
		"      --gain G            gain on the difference (default 1.0)\n"
		"      --midgrey N         grey level of 'no change' (default half range)\n"
		"      --min-quality Q     registration quality threshold (default %.2f)\n"
		"      --known A           use this transform for every member instead of\n"
		"                          registering: a11,a12,tx,a21,a22,ty (live -> reference)\n"
		"      --lesion X,Y,R      report the contrast-to-noise ratio of a lesion at\n"
		"                          reference position (X, Y), radius R pixels\n"
		"  -q, --quiet             no summary on stdout\n"
		PAIR_FRAME_HELP
		"  -h, --help              this help\n%s%s" RECORD_HELP
		"exit status: 0 every member done, 1 a member failed, 2 usage error\n",
		DSR_REGISTER_MIN_QUALITY, IDENTITY_HELP, MEASURE_HELP);
}

/* Parse the command line into @o; returns the index of REF in argv, or -1 (usage). */
static int series_parse(int argc, char **argv, struct series_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dicom", no_argument, NULL, 'D' },
		{ "montage", required_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'F' },
		{ "no-montage", no_argument, NULL, 'N' },
		{ "model", required_argument, NULL, 'm' },
		{ "lut", required_argument, NULL, 'L' },
		{ "gain", required_argument, NULL, 'g' },
		{ "midgrey", required_argument, NULL, 'G' },
		{ "min-quality", required_argument, NULL, 'Q' },
		{ "known", required_argument, NULL, 'K' },
		{ "lesion", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		PAIR_FRAME_LONG_OPTION,
		IDENTITY_LONG_OPTIONS,
		RECORD_LONG_OPTIONS,
		MEASURE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	memset(o, 0, sizeof(*o));
	pair_opts_default(&o->pair);
	measure_opts_default(&o->meas);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:qh", longopts, NULL)) != -1) {
		int pair = pair_opts_option(&o->pair, c, optarg);

		if (pair < 0)
			goto bad;
		if (pair > 0)
			continue;
		switch (c) {
		case 'o': o->outdir = optarg; break;
		case 'D': o->dicom = 1; break;
		case 'M': o->montage = optarg; break;
		case 'N': o->no_montage = 1; break;
		case 'F': o->force = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': series_usage(stdout); exit(DSR_EXIT_OK);
		case 'Q':
			o->pair.reg.min_quality = strtod(optarg, &end);
			if (*end || !(o->pair.reg.min_quality > 0 && o->pair.reg.min_quality <= 1))
				return dsr_seterr("--min-quality '%s': expected 0 < Q <= 1", optarg), -2;
			break;
		case 'K':
			if (parse_affine(optarg, &o->pair.known) < 0)
				goto bad;
			o->pair.have_known = 1;
			break;
		case 'l':
			if (parse_lesion(optarg, o->lesion) < 0)
				goto bad;
			o->have_lesion = 1;
			break;
		default:
			pair = identity_option(c, optarg, &o->id);
			if (pair == 0)
				pair = record_option(&o->rec, c, optarg);
			if (pair < 0)
				goto bad;
			if (pair)
				break;
			switch (measure_option(&o->meas, c, optarg)) {
			case 1: continue;
			case -1: goto bad;
			}
			return -1;
		}
	}
	if (record_opts_finish(&o->rec) < 0)
		goto bad;
	if (!o->outdir)
		return dsr_seterr("missing -o DIR"), -2;
	if (argc - optind < 2)
		return dsr_seterr("need a reference and at least one live image"), -2;
	return optind;
bad:
	return -2;
}

/* The names a run of @n members may write into DIR (printf patterns take the index). */
static const char *const member_files[] = { "difference-%02zu.png", "difference-%02zu.dcm",
					    "difference-%02zu-display.png",
					    "overlay-%02zu.png", "overlay-%02zu.dcm" };
static const char *const run_files[] = { "montage.png", "report.json", DSR_MANIFEST_NAME };

/* Every output of the run is checked against the inputs before anything is written or
 * removed; then DIR is prepared (refused if not empty, unless --force). */
static int series_outputs_prepare(const struct series_opts *o, const char *const *inputs,
				  size_t n_inputs, size_t n)
{
	char path[PATH_MAX], name[64];
	size_t removed;

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < sizeof(member_files) / sizeof(member_files[0]); i++) {
			snprintf(name, sizeof(name), member_files[i], k + 1);
			snprintf(path, sizeof(path), "%s/%s", o->outdir, name);
			if (dsr_output_check(path, inputs, n_inputs) < 0)
				return -1;
		}
	for (size_t i = 0; i < sizeof(run_files) / sizeof(run_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->outdir, run_files[i]);
		if (dsr_output_check(path, inputs, n_inputs) < 0)
			return -1;
	}
	if (o->montage && dsr_output_check(o->montage, inputs, n_inputs) < 0)
		return -1;
	if (dsr_output_dir_prepare(o->outdir, o->force, inputs, n_inputs, &removed) < 0)
		return -1;
	if (removed && !o->quiet)
		printf("replaced the previous run in %s: %zu files removed (its manifest)\n",
		       o->outdir, removed);
	return 0;
}

/* DIR/manifest.json: what this run wrote there. */
static int series_manifest(const struct series_opts *o, size_t n)
{
	struct dsr_manifest m = { 0 };
	char path[PATH_MAX], name[64];
	int rc = 0;

	for (size_t k = 0; k < n && rc == 0; k++)
		for (size_t i = 0; i < sizeof(member_files) / sizeof(member_files[0]); i++) {
			snprintf(name, sizeof(name), member_files[i], k + 1);
			snprintf(path, sizeof(path), "%s/%s", o->outdir, name);
			if (access(path, F_OK) == 0 && (rc = dsr_manifest_add(&m, name)) < 0)
				break;
		}
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", o->outdir, run_files[i]);
		if (access(path, F_OK) == 0)
			rc = dsr_manifest_add(&m, run_files[i]);
	}
	if (rc == 0)
		rc = dsr_manifest_save(&m, o->outdir, "series");
	dsr_manifest_free(&m);
	return rc;
}

/* Who one member's difference belongs to, decided before any heavy work. */
struct member_identity {
	struct dsr_dicom_identity id, src[2];
	struct dsr_identity_outcome out;
};

/* Write one member's difference (PNG, and DICOM when asked) and describe it in @j. */
static int write_difference(const struct series_opts *o, size_t k, const char *live_path,
			    const struct pair_result *res, const struct member_identity *mi,
			    const uint8_t *valid, char visits[2][40], const char *series_uid,
			    int want_dicom, json_t *j)
{
	char png[PATH_MAX], dcm[PATH_MAX], deriv[1024], shown[PATH_MAX];
	snprintf(png, sizeof(png), "%s/difference-%02zu.png", o->outdir, k + 1);
	if (dsr_image_save(res->difference, png) < 0)
		return -1;
	double mean, sd, wc, ww;
	size_t in_field = dsr_field_stats(res->difference, valid, &mean, &sd);
	json_t *d = json_pack("{s:s, s:f, s:f, s:i, s:i, s:i}", "png", png, "mean", mean, "sd",
			      sd, "in_field_pixels", (json_int_t)in_field, "out_of_field_pixels",
			      (json_int_t)((size_t)res->difference->width *
					   res->difference->height - in_field),
			      "out_of_field_value", (json_int_t)DSR_OUT_OF_FIELD);
	json_object_set_new(j, "difference", d);
	/* the 8-bit rendering any viewer shows, with its window stated */
	struct dsr_image *disp = dsr_difference_display(res->difference, valid,
							 res->params.midgrey, &wc, &ww);
	snprintf(shown, sizeof(shown), "%s/difference-%02zu-display.png", o->outdir, k + 1);
	if (!disp || dsr_image_save(disp, shown) < 0) {
		dsr_image_free(disp);
		return -1;
	}
	dsr_image_free(disp);
	json_object_set_new(d, "display", json_pack("{s:s, s:f, s:f, s:s}", "png", shown,
			    "window_centre", wc, "window_width", ww, "mapping",
			    "8-bit: centre - width/2 .. centre + width/2 onto 1..255, 0 = out of field"));
	if (!want_dicom)
		return 0;
	const struct dsr_affine *a = &res->quantised;
	snprintf(deriv, sizeof(deriv),
		 "DSR subtraction: live - LUT(warp(reference)), affine [%.6f %.6f %.3f; %.6f %.6f %.3f], "
		 "gain %.3f, midgrey %u; out of field (no reference) = %d; baseline %s, follow-up %s",
		 a->a11, a->a12, a->tx, a->a21, a->a22, a->ty, res->params.gain / 256.0,
		 res->params.midgrey, DSR_OUT_OF_FIELD, visits[0], visits[1]);
	struct dsr_dicom_derived dd = {
		.identity = &mi->id, .sources = mi->src, .n_sources = 2, .derivation = deriv,
		.comments = mi->out.note[0] ? mi->out.note : NULL,
		.series_description = "DSR subtraction series", .series_instance_uid = series_uid,
		.instance_number = (int)k + 1, .midgrey = res->params.midgrey,
		.io_source = dsr_dicom_probe(live_path) ? live_path : o->ref_path,
		.teeth = o->rec.teeth.n ? &o->rec.teeth : NULL, .field = valid,
	};
	char sop[DSR_DICOM_UID_LEN];
	snprintf(dcm, sizeof(dcm), "%s/difference-%02zu.dcm", o->outdir, k + 1);
	if (dsr_dicom_save_derived(res->difference, &dd, dcm, sop) < 0)
		return -1;
	json_object_set_new(d, "dicom", json_string(dcm));
	json_object_set_new(d, "sop_instance_uid", json_string(sop));
	json_object_set_new(d, "study_instance_uid", json_string(mi->id.study_instance_uid));
	return 0;
}

/* The lesion's density change and contrast-to-noise ratio, into @j. */
static void report_lesion(const struct series_opts *o, const struct dsr_image *ref,
			  const struct dsr_image *live, const struct pair_result *res, json_t *j,
			  double *cnr_out)
{
	*cnr_out = -1;
	if (o->have_lesion)
		*cnr_out = measure_lesion(o->lesion, &res->quantised, ref, live, &res->params,
					  &res->contrast, res->difference, j);
}

/* Regions and the overlay (PNG, and DICOM beside a DICOM difference), into @j. */
static int report_measure(const struct series_opts *o, size_t k, const struct dsr_image *ref,
			  const struct dsr_image *live, const struct pair_result *res,
			  json_t *j)
{
	struct measure_result mr;
	char png[PATH_MAX], dcm[PATH_MAX], sop[DSR_DICOM_UID_LEN];
	snprintf(png, sizeof(png), "%s/overlay-%02zu.png", o->outdir, k + 1);
	int rc = measure_pair(&o->meas, ref, live, &res->params, &res->contrast, res->difference,
			      png, j, &mr);
	json_t *d = json_object_get(json_object_get(j, "difference"), "dicom");
	if (rc == 0 && mr.rgb && d) {
		/* one overlay series per run, beside the differences' series */
		static char overlay_series[DSR_DICOM_UID_LEN];
		if (!overlay_series[0])
			dsr_dicom_new_uid(overlay_series);
		struct dsr_dicom_color cc = {
			.like = json_string_value(d), .series_instance_uid = overlay_series,
			.instance_number = (int)k + 1,
		};
		snprintf(dcm, sizeof(dcm), "%s/overlay-%02zu.dcm", o->outdir, k + 1);
		rc = dsr_dicom_save_rgb(mr.rgb, mr.w, mr.h, &cc, dcm, sop);
		if (rc == 0) {
			json_t *ov = json_object_get(j, "overlay");
			json_object_set_new(ov, "dicom", json_string(dcm));
			json_object_set_new(ov, "sop_instance_uid", json_string(sop));
		}
	}
	if (rc == 0 && !o->quiet && mr.text[0])
		printf("%s", mr.text);
	measure_result_free(&mr);
	return rc;
}

/* One line per member on stdout: what was found and how the difference looks. */
static void print_member(size_t k, const char *live_path, int rc, const struct pair_result *res,
			 json_t *j, double cnr)
{
	char q[32] = "known", l[32] = "";
	if (rc < 0) {
		printf("%2zu  %s: FAILED: %s\n", k + 1, live_path, dsr_error());
		return;
	}
	if (isfinite(res->reg.quality))
		snprintf(q, sizeof(q), "%.4f", res->reg.quality);
	if (cnr >= 0)
		snprintf(l, sizeof(l), "  lesion CNR %.2f", cnr);
	printf("%2zu  %s: quality %s  affine [%.5f %.5f %.3f; %.5f %.5f %.3f]  difference sd %.1f%s\n",
	       k + 1, live_path, q, res->quantised.a11, res->quantised.a12, res->quantised.tx,
	       res->quantised.a21, res->quantised.a22, res->quantised.ty,
	       json_real_value(json_object_get(json_object_get(j, "difference"), "sd")), l);
}

/* One follow-up: load, register, subtract, write. The outcome goes into @j. */
static int series_member(const struct series_opts *o, size_t k, const struct dsr_image *ref,
			 const char *live_path,
			 const struct dsr_dicom_identity *fresh, const char *series_uid,
			 int want_dicom, struct progress *pg, json_t *j, struct member_out *mo)
{
	char visits[2][40];
	struct pair_result res;
	struct pair_opts po = o->pair;
	double cnr = -1;
	int rc = -1;
	memset(&res, 0, sizeof(res));
	po.reg.progress = progress_update;
	po.reg.progress_ctx = pg;
	struct dsr_image *live = NULL;
	struct member_identity mi;
	pg->label = live_path;
	progress_update(pg, 0, "loading");
	if (identity_for(o->ref_path, live_path, &o->id, fresh, &mi.id, mi.src, &mi.out) < 0)
		goto out;
	json_object_set_new(j, "patient", json_patient(&mi.id, &mi.out));
	record_visit(&o->rec, 0, &mi.src[0], visits[0], sizeof(visits[0]));
	record_visit(&o->rec, k + 1, &mi.src[1], visits[1], sizeof(visits[1]));
	json_object_set_new(j, "visit", json_string(visits[1]));
	snprintf(mo->label, sizeof(mo->label), "FOLLOW-UP %zu  %s", k + 1, visits[1]);
	if (mi.out.unidentified && want_dicom && k == 0)
		fprintf(stderr, "dsr series: warning: no patient identity (the sources are not "
			"DICOM and no --patient-id given): the DICOM output is marked %s\n",
			DSR_UNIDENTIFIED);
	live = dsr_image_load_frame(live_path, o->pair.frame);
	if (!live)
		goto out;
	progress_update(pg, 0.05, po.have_known ? "known transform" : "registering");
	pg->lo = 0.05;	/* registration reports 0..1 of its own: 5..90 % of this member */
	pg->span = 0.85;
	int prep = pair_prepare(ref, live, &po, &res);
	pg->lo = 0;
	pg->span = 1;
	json_t *pj = json_pair(&res, &po);
	json_object_update(j, pj);
	json_decref(pj);
	if (prep < 0)
		goto out;
	progress_update(pg, 0.9, "subtracting");
	if (pair_subtract(ref, live, &res) < 0)
		goto out;
	mo->valid = malloc((size_t)live->width * live->height);
	if (!mo->valid) {
		dsr_seterr("out of memory for the field mask");
		goto out;
	}
	/* out of field is not change: marked in every written image, in no statistic */
	dsr_model_field_mask(&res.params, mo->valid);
	dsr_mark_out_of_field(res.difference, mo->valid);
	mo->midgrey = res.params.midgrey;
	if (write_difference(o, k, live_path, &res, &mi, mo->valid, visits, series_uid,
			     want_dicom, j) < 0 ||
	    report_measure(o, k, ref, live, &res, j) < 0)
		goto out;
	report_lesion(o, ref, live, &res, j, &cnr);
	rc = 0;
out:
	json_object_set_new(j, "status", json_string(rc == 0 ? "ok" : "failed"));
	if (rc < 0) {
		json_object_set_new(j, "error", json_string(dsr_error()));
		snprintf(mo->failure, sizeof(mo->failure), "%s", dsr_error());
	}
	progress_done(pg);
	if (!o->quiet)
		print_member(k, live_path, rc, &res, j, cnr);
	{
		size_t l = strlen(mo->label);
		if (rc < 0)
			snprintf(mo->label + l, sizeof(mo->label) - l, "  FAILED");
		else if (isfinite(res.reg.quality))
			snprintf(mo->label + l, sizeof(mo->label) - l, "  QUALITY %.4f",
				 res.reg.quality);
		else
			snprintf(mo->label + l, sizeof(mo->label) - l, "  KNOWN TRANSFORM");
	}
	mo->live = live;
	mo->diff = rc == 0 ? res.difference : NULL;
	if (rc == 0)
		res.difference = NULL;
	pair_result_free(&res);
	return rc;
}

/* A reference's identity for the report: its size and the CRC of its pixels, which the
 * board's reference store can be checked against. */
static json_t *json_reference(const char *path, const struct dsr_image *ref)
{
	uint32_t crc = dsr_crc32(0, ref->pixels, (size_t)ref->width * ref->height * 2);
	char hex[16];
	snprintf(hex, sizeof(hex), "%08x", crc);
	return json_pack("{s:s, s:i, s:i, s:i, s:s}", "path", path, "width", (json_int_t)ref->width,
			 "height", (json_int_t)ref->height, "bits", (json_int_t)ref->bits,
			 "crc32", hex);
}

/* The montage's header: patient, visits, teeth, procedure, how to read it. */
static void montage_header(const struct series_opts *o, json_t *report, char *buf, size_t size)
{
	json_t *m0 = json_array_get(json_object_get(report, "members"), 0);
	json_t *p = json_object_get(m0, "patient");
	char teeth[256], born[40] = "-";
	const char *bd = p ? json_string_value(json_object_get(p, "birth_date")) : NULL;

	if (bd && *bd)
		dsr_visit_format(bd, NULL, born, sizeof(born));
	dsr_teeth_format(&o->rec.teeth, teeth, sizeof(teeth));
	snprintf(buf, size,
		 "PATIENT: %s  ID %s  BORN %s\n"
		 "BASELINE: %s\n"
		 "TEETH: %s\n"
		 "PROCEDURE: CDT %s DIGITAL SUBTRACTION\n"
		 "MID-GREY = NO CHANGE, DARK = LOSS (LESS DENSE), BRIGHT = GAIN\n"
		 "HATCHED = OUT OF FIELD (NO BASELINE THERE), NOT COMPARED",
		 p ? json_string_value(json_object_get(p, "name")) : "?",
		 p ? json_string_value(json_object_get(p, "id")) : "?",
		 born,
		 json_string_value(json_object_get(report, "baseline_visit")),
		 teeth[0] ? teeth : "NOT GIVEN", DSR_CDT_D0394);
}

/* Montage: one labelled row per member, reference | follow-up | difference. */
static int series_montage(const struct series_opts *o, const struct dsr_image *ref,
			  const struct member_out *mo, size_t n, json_t *report)
{
	char path[PATH_MAX], header[4096], ref_label[96];
	struct dsr_montage_member *m = calloc(n ? n : 1, sizeof(*m));
	int rc = -1;
	if (!m)
		return dsr_seterr("out of memory for the montage");
	for (size_t k = 0; k < n; k++)
		m[k] = (struct dsr_montage_member){ mo[k].live, mo[k].diff, mo[k].valid,
						   mo[k].midgrey, mo[k].label, mo[k].failure };
	montage_header(o, report, header, sizeof(header));
	for (size_t k = 0; k < n; k++)	/* each member's measurements, one line per region */
		measure_caption_json(json_array_get(json_object_get(report, "members"), k), k, header,
				     sizeof(header));
	snprintf(ref_label, sizeof(ref_label), "BASELINE  %s",
		 json_string_value(json_object_get(report, "baseline_visit")));
	struct dsr_image *img = dsr_montage_series(ref, ref_label, m, n, header, 320);
	free(m);
	if (!img)
		return -1;
	if (o->montage)
		snprintf(path, sizeof(path), "%s", o->montage);
	else
		snprintf(path, sizeof(path), "%s/montage.png", o->outdir);
	rc = dsr_image_save(img, path);
	dsr_image_free(img);
	if (rc == 0)
		json_object_set_new(report, "montage", json_string(path));
	return rc;
}

int cmd_series(int argc, char **argv)
{
	struct series_opts o;
	int first = series_parse(argc, argv, &o);
	if (first < 0) {
		if (first == -2)
			fprintf(stderr, "dsr series: %s\n", dsr_error());
		fprintf(stderr, "see 'dsr series --help'\n");
		return DSR_EXIT_USAGE;
	}
	const char *ref_path = argv[first];
	size_t n = (size_t)(argc - first - 1);
	char **live_paths = argv + first + 1;
	char pacs_ref[PATH_MAX];	/* REF as pacs:latest or pacs:UID: the fetched baseline */
	if (pacs_reference_hook("series", &ref_path, live_paths[0], pacs_ref, sizeof(pacs_ref)) < 0)
		return DSR_EXIT_FAIL;
	o.ref_path = ref_path;
	if (series_outputs_prepare(&o, (const char *const *)argv + first, n + 1, n) < 0) {
		fprintf(stderr, "dsr series: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	struct dsr_image *ref = dsr_image_load_frame(ref_path, o.pair.frame);
	if (!ref) {
		fprintf(stderr, "dsr series: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	int want_dicom = o.dicom || dsr_dicom_probe(ref_path);
	for (size_t k = 0; k < n; k++)
		want_dicom |= dsr_dicom_probe(live_paths[k]);
	struct dsr_dicom_identity fresh;
	char series_uid[DSR_DICOM_UID_LEN];
	identity_fresh(&o.id, &fresh);
	dsr_dicom_new_uid(series_uid);

	struct member_out *mo = calloc(n, sizeof(*mo));
	json_t *report = json_object(), *members = json_array();
	json_object_set_new(report, "command", json_string("series"));
	json_object_set_new(report, "reference", json_reference(ref_path, ref));
	/* teeth: the options', else what the sources' coded anatomy names */
	const char *teeth_from = o.rec.teeth.n ? "--teeth" : NULL;
	for (size_t k = 0; !teeth_from && k <= n; k++) {
		const char *p = k == 0 ? ref_path : live_paths[k - 1];
		if (dsr_dicom_probe(p) && dsr_dicom_read_teeth(p, &o.rec.teeth) == 0 &&
		    o.rec.teeth.n)
			teeth_from = p;
	}
	json_t *record = json_record(&o.rec);
	json_object_set_new(json_object_get(record, "teeth"), "source",
			    teeth_from ? json_string(teeth_from) : json_null());
	json_object_set_new(report, "record", record);
	{
		struct dsr_dicom_identity rid;
		char visit[40];
		memset(&rid, 0, sizeof(rid));
		if (dsr_dicom_probe(ref_path))
			dsr_dicom_read_identity(ref_path, &rid);
		record_visit(&o.rec, 0, &rid, visit, sizeof(visit));
		json_object_set_new(report, "baseline_visit", json_string(visit));
	}
	if (want_dicom)
		json_object_set_new(report, "series_instance_uid", json_string(series_uid));
	struct progress pg;
	progress_init(&pg, n);
	size_t failed = 0;
	for (size_t k = 0; mo && k < n; k++) {
		json_t *j = json_pack("{s:i, s:s}", "index", (json_int_t)k + 1, "live", live_paths[k]);
		pg.item = k;
		if (series_member(&o, k, ref, live_paths[k], &fresh, series_uid,
				  want_dicom, &pg, j, &mo[k]) < 0)
			failed++;
		json_array_append_new(members, j);
	}
	json_object_set_new(report, "members", members);
	json_object_set_new(report, "failed", json_integer((json_int_t)failed));
	int rc = failed ? DSR_EXIT_FAIL : DSR_EXIT_OK;
	if (!mo) {
		fprintf(stderr, "dsr series: out of memory\n");
		rc = DSR_EXIT_FAIL;
	} else if (!o.no_montage && series_montage(&o, ref, mo, n, report) < 0) {
		fprintf(stderr, "dsr series: montage: %s\n", dsr_error());
		rc = DSR_EXIT_FAIL;
	}
	char rp[PATH_MAX];
	snprintf(rp, sizeof(rp), "%s/report.json", o.outdir);
	if (json_save(report, rp) < 0) {
		fprintf(stderr, "dsr series: %s\n", dsr_error());
		rc = DSR_EXIT_FAIL;
	} else if (series_manifest(&o, n) < 0) {
		fprintf(stderr, "dsr series: %s\n", dsr_error());
		rc = DSR_EXIT_FAIL;
	} else if (!o.quiet) {
		printf("%zu of %zu follow-ups subtracted; report %s\n", n - failed, n, rp);
	}
	for (size_t k = 0; mo && k < n; k++) {
		dsr_image_free(mo[k].live);
		dsr_image_free(mo[k].diff);
		free(mo[k].valid);
	}
	free(mo);
	json_decref(report);
	dsr_image_free(ref);
	return rc;
}

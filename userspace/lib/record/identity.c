/*
 * identity.c - DICOM identity values checked against their VR, and the one-patient
 * rule of a subtraction (identity.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsr/error.h"
#include "dsr/identity.h"

int dsr_text_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7f)
			return 1;
	return 0;
}

/* Characters in @s if it is valid UTF-8 without control characters, else -1. */
static long utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p) {
		unsigned c = *p, len, cp;

		if (c < 0x20 || c == 0x7f)
			return -1;
		len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		      (c & 0xf8) == 0xf0 ? 4 : 0;
		if (!len)
			return -1;
		cp = len == 1 ? c : c & (0x7f >> len);
		for (unsigned i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates and values beyond Unicode are not UTF-8 */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += len;
		n++;
	}
	return n;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static unsigned num(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

static int check_da(const char *what, const char *v)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d, leap;

	if (strlen(v) != 8 || !all_digits(v, 8))
		return dsr_seterr("%s '%s': a date is YYYYMMDD (or YYYY-MM-DD)", what, v);
	y = num(v, 4);
	m = num(v + 4, 2);
	d = num(v + 6, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return dsr_seterr("%s '%s': not a calendar date", what, v);
	return 0;
}

static int check_tm(const char *what, const char *v)
{
	size_t n = strlen(v), whole = strcspn(v, ".");

	if (whole < 2 || whole > 6 || whole % 2 || !all_digits(v, whole) ||
	    (v[whole] == '.' && (whole != 6 || n - whole - 1 < 1 || n - whole - 1 > 6 ||
				 !all_digits(v + whole + 1, n - whole - 1))))
		return dsr_seterr("%s '%s': a time is HH, HHMM, HHMMSS or HHMMSS.FFFFFF", what, v);
	if (num(v, 2) > 23 || (whole >= 4 && num(v + 2, 2) > 59) ||
	    (whole == 6 && num(v + 4, 2) > 60))
		return dsr_seterr("%s '%s': not a time of day", what, v);
	return 0;
}

static int check_ui(const char *what, const char *v)
{
	size_t n = strlen(v);
	const char *p = v;

	if (n == 0 || n > 64)
		return dsr_seterr("%s '%s': a UID is 1..64 characters", what, v);
	while (1) {
		size_t c = strcspn(p, ".");

		if (c == 0 || !all_digits(p, c) || (c > 1 && p[0] == '0'))
			return dsr_seterr("%s '%s': a UID is numbers separated by dots, without "
					  "leading zeros (e.g. 1.2.840.10008.1.2)", what, v);
		if (!p[c])
			return 0;
		p += c + 1;
	}
}

static int check_pn(const char *what, const char *v)
{
	int groups = 1, comps = 1;

	for (const char *p = v; *p; p++) {
		if (*p == '=') {
			if (++groups > 3)
				return dsr_seterr("%s '%s': a person name has at most 3 '='-groups",
						  what, v);
			comps = 1;
		} else if (*p == '^' && ++comps > 5) {
			return dsr_seterr("%s '%s': a person name has at most 5 '^'-components "
					  "(family^given^middle^prefix^suffix)", what, v);
		}
	}
	/* 64 characters per group */
	for (const char *g = v; g; ) {
		const char *e = strchr(g, '=');
		char buf[1024];
		size_t len = e ? (size_t)(e - g) : strlen(g);

		if (len >= sizeof(buf))
			return dsr_seterr("%s: a person name group is at most 64 characters", what);
		memcpy(buf, g, len);
		buf[len] = '\0';
		if (utf8_chars(buf) > 64)
			return dsr_seterr("%s '%s': a person name group is at most 64 characters",
					  what, v);
		g = e ? e + 1 : NULL;
	}
	return 0;
}

int dsr_vr_check(const char *vr, const char *what, const char *value)
{
	long chars = utf8_chars(value);
	long max = 0;

	if (chars < 0)
		return dsr_seterr("%s: not valid UTF-8 text, or it holds control characters", what);
	if (strchr(value, '\\'))
		return dsr_seterr("%s '%s': a backslash separates DICOM values and cannot be in "
				  "one", what, value);
	if (!strcmp(vr, "DA"))
		return check_da(what, value);
	if (!strcmp(vr, "TM"))
		return check_tm(what, value);
	if (!strcmp(vr, "UI"))
		return check_ui(what, value);
	if (!strcmp(vr, "PN"))
		return check_pn(what, value);
	if (!strcmp(vr, "LO"))
		max = 64;
	else if (!strcmp(vr, "SH") || !strcmp(vr, "CS"))
		max = 16;
	else
		return dsr_seterr("%s: unknown VR %s", what, vr);
	if (chars > max)
		return dsr_seterr("%s: %ld characters, DICOM %s holds at most %ld (not truncated: "
				  "give a shorter value)", what, chars, vr, max);
	if (!strcmp(vr, "CS"))
		for (const char *p = value; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
			      *p == ' '))
				return dsr_seterr("%s '%s': a code string is upper-case letters, "
						  "digits, space and _", what, value);
	return 0;
}

/* Each field: option name, VR, where it lives in the identity and how big that is. */
static const struct {
	const char *option, *vr;
	size_t offset, size;
} fields[DSR_ID_FIELDS] = {
#define F(opt, vr, m) { opt, vr, offsetof(struct dsr_dicom_identity, m), \
			sizeof(((struct dsr_dicom_identity *)0)->m) }
	[DSR_ID_PATIENT_NAME] = F("patient-name", "PN", patient_name),
	[DSR_ID_PATIENT_ID] = F("patient-id", "LO", patient_id),
	[DSR_ID_BIRTH_DATE] = F("birth-date", "DA", patient_birth_date),
	[DSR_ID_SEX] = F("sex", "CS", patient_sex),
	[DSR_ID_STUDY_UID] = F("study-uid", "UI", study_instance_uid),
	[DSR_ID_STUDY_ID] = F("study-id", "SH", study_id),
	[DSR_ID_ACCESSION] = F("accession", "SH", accession_number),
	[DSR_ID_REFERRING] = F("referring", "PN", referring_physician),
#undef F
};

const char *dsr_identity_field_option(enum dsr_identity_field f)
{
	return f < DSR_ID_FIELDS ? fields[f].option : "?";
}

static char *field_of(struct dsr_dicom_identity *id, enum dsr_identity_field f)
{
	return (char *)id + fields[f].offset;
}

static const char *cfield_of(const struct dsr_dicom_identity *id, enum dsr_identity_field f)
{
	return (const char *)id + fields[f].offset;
}

int dsr_identity_opts_set(struct dsr_identity_opts *o, enum dsr_identity_field f,
			  const char *value)
{
	char what[64], norm[16];
	const char *v = value;

	if (f >= DSR_ID_FIELDS)
		return dsr_seterr("unknown identity field %d", (int)f);
	snprintf(what, sizeof(what), "--%s", fields[f].option);
	if (!*value)
		return dsr_seterr("%s: empty value", what);
	/* the one convenience: ISO 8601 extended dates */
	if (f == DSR_ID_BIRTH_DATE && strlen(value) == 10 && value[4] == '-' && value[7] == '-') {
		snprintf(norm, sizeof(norm), "%.4s%.2s%.2s", value, value + 5, value + 8);
		v = norm;
	}
	if (dsr_vr_check(fields[f].vr, what, v) < 0)
		return -1;
	if (f == DSR_ID_SEX && strcmp(v, "M") && strcmp(v, "F") && strcmp(v, "O"))
		return dsr_seterr("%s '%s': DICOM Patient's Sex is M, F or O", what, v);
	if (strlen(v) >= fields[f].size)
		return dsr_seterr("%s: %zu bytes of UTF-8 do not fit (at most %zu)", what,
				  strlen(v), fields[f].size - 1);
	snprintf(field_of(&o->given, f), fields[f].size, "%s", v);
	o->given_mask |= 1u << f;
	if (dsr_text_non_ascii(v))
		snprintf(o->given.specific_character_set, sizeof(o->given.specific_character_set),
			 "%s", DSR_CHARSET_UTF8);
	return 0;
}

/* Person names compare without case, trailing '^' and spaces (DICOM padding). */
static int same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la && (a[la - 1] == '^' || a[la - 1] == ' '))
		la--;
	while (lb && (b[lb - 1] == '^' || b[lb - 1] == ' '))
		lb--;
	return la == lb && !strncasecmp(a, b, la);
}

/* IDs compare without the padding spaces DICOM allows. */
static int same_id(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la && a[la - 1] == ' ')
		la--;
	while (lb && b[lb - 1] == ' ')
		lb--;
	return la == lb && !strncmp(a, b, la);
}

int dsr_identity_same_patient(const struct dsr_dicom_identity *a,
			      const struct dsr_dicom_identity *b, char *why, size_t size)
{
	if (a->patient_id[0] && b->patient_id[0]) {
		if (same_id(a->patient_id, b->patient_id))
			return 1;
		snprintf(why, size, "Patient ID '%s' (%s) vs '%s' (%s)", a->patient_id,
			 a->patient_name, b->patient_id, b->patient_name);
		return 0;
	}
	if (a->patient_name[0] && b->patient_name[0] && a->patient_birth_date[0] &&
	    b->patient_birth_date[0]) {
		if (same_name(a->patient_name, b->patient_name) &&
		    !strcmp(a->patient_birth_date, b->patient_birth_date))
			return 1;
		snprintf(why, size, "patient '%s' born %s vs '%s' born %s", a->patient_name,
			 a->patient_birth_date, b->patient_name, b->patient_birth_date);
		return 0;
	}
	return -1;
}

/* Options against the chosen DICOM identity: agree where it has a value, fill where not. */
static int apply_options(const struct dsr_identity_opts *o, struct dsr_dicom_identity *out)
{
	for (int f = 0; f < DSR_ID_FIELDS; f++) {
		const char *v = cfield_of(&o->given, (enum dsr_identity_field)f);
		char *have = field_of(out, (enum dsr_identity_field)f);

		if (!(o->given_mask & (1u << f)))
			continue;
		if (have[0]) {
			int same = fields[f].vr[0] == 'P' ? same_name(have, v) : same_id(have, v);

			if (!same)
				return dsr_seterr("--%s '%s' contradicts the DICOM source, which says "
						  "'%s'", fields[f].option, v, have);
			continue;
		}
		if (dsr_text_non_ascii(v) && out->specific_character_set[0] &&
		    strcmp(out->specific_character_set, DSR_CHARSET_UTF8))
			return dsr_seterr("--%s: UTF-8 text cannot be added to a source encoded as "
					  "%s", fields[f].option, out->specific_character_set);
		snprintf(have, fields[f].size, "%s", v);
		if (dsr_text_non_ascii(v))
			snprintf(out->specific_character_set, sizeof(out->specific_character_set),
				 "%s", DSR_CHARSET_UTF8);
	}
	return 0;
}

int dsr_identity_resolve(const struct dsr_dicom_identity *ref,
			 const struct dsr_dicom_identity *live,
			 const struct dsr_identity_opts *o,
			 const struct dsr_dicom_identity *fresh,
			 struct dsr_dicom_identity *out, struct dsr_identity_outcome *outcome)
{
	int ref_dcm = ref && ref->sop_instance_uid[0] && ref->study_instance_uid[0];
	int live_dcm = live && live->sop_instance_uid[0] && live->study_instance_uid[0];
	char why[400];

	memset(outcome, 0, sizeof(*outcome));
	if (ref_dcm && live_dcm && dsr_identity_same_patient(ref, live, why, sizeof(why)) == 0) {
		if (!o->accept_mismatch)
			return dsr_seterr("the baseline and the follow-up are different patients (%s); "
					  "check the files, or pass --accept-patient-mismatch to "
					  "subtract them anyway (recorded in the output)", why);
		outcome->mismatch_accepted = 1;
		snprintf(outcome->note, sizeof(outcome->note),
			 "Sources of different patients accepted by the user: %s", why);
	}
	if (live_dcm)
		*out = *live;
	else if (ref_dcm)
		*out = *ref;
	if (live_dcm || ref_dcm) {
		if (apply_options(o, out) < 0)
			return -1;
	} else {
		*out = *fresh;
		for (int f = 0; f < DSR_ID_FIELDS; f++)
			if (o->given_mask & (1u << f))
				snprintf(field_of(out, (enum dsr_identity_field)f), fields[f].size,
					 "%s", cfield_of(&o->given, (enum dsr_identity_field)f));
		if (o->given.specific_character_set[0])
			snprintf(out->specific_character_set, sizeof(out->specific_character_set),
				 "%s", o->given.specific_character_set);
	}
	if (!out->patient_id[0]) {
		if (!(live_dcm || ref_dcm) && (o->given_mask & ~(1u << DSR_ID_STUDY_UID) &
					       ((1u << DSR_ID_STUDY_UID) - 1)))
			return dsr_seterr("--patient-id is needed with the other patient options: an "
					  "identity without it cannot be filed");
		outcome->unidentified = 1;
		snprintf(out->patient_id, sizeof(out->patient_id), "%s", DSR_UNIDENTIFIED);
		if (!out->patient_name[0])
			snprintf(out->patient_name, sizeof(out->patient_name), "%s",
				 DSR_UNIDENTIFIED);
	}
	return 0;
}

/*
 * record.c - teeth, visit dates and the procedure of the dental record (record.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsr/error.h"
#include "dsr/identity.h"
#include "dsr/record.h"

int dsr_tooth_numbering_parse(const char *s, enum dsr_tooth_numbering *n)
{
	if (!strcasecmp(s, "fdi") || !strcasecmp(s, "iso") || !strcasecmp(s, "iso3950"))
		*n = DSR_TEETH_FDI;
	else if (!strcasecmp(s, "universal"))
		*n = DSR_TEETH_UNIVERSAL;
	else
		return dsr_seterr("--tooth-numbering '%s': expected fdi or universal", s);
	return 0;
}

unsigned dsr_tooth_universal(unsigned fdi)
{
	unsigned q = fdi / 10, t = fdi % 10;

	if (t < 1 || t > 8)
		return 0;
	switch (q) {
	case 1: return 9 - t;
	case 2: return 8 + t;
	case 3: return 25 - t;
	case 4: return 24 + t;
	default: return 0;
	}
}

/* The FDI number of Universal tooth @u (1..32), 0 if none. */
static unsigned fdi_of_universal(unsigned u)
{
	for (unsigned q = 1; q <= 4; q++)
		for (unsigned t = 1; t <= 8; t++)
			if (dsr_tooth_universal(q * 10 + t) == u)
				return q * 10 + t;
	return 0;
}

int dsr_teeth_parse(const char *list, enum dsr_tooth_numbering numbering, struct dsr_teeth *t)
{
	const char *p = list;

	memset(t, 0, sizeof(*t));
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		unsigned fdi;

		if (end == p || (*end && *end != ','))
			return dsr_seterr("--teeth '%s': expected numbers separated by commas", list);
		fdi = numbering == DSR_TEETH_FDI ? (dsr_tooth_universal((unsigned)v) && v > 0 ?
						    (unsigned)v : 0)
						 : (v >= 1 && v <= 32 ? fdi_of_universal((unsigned)v) : 0);
		if (!fdi)
			return dsr_seterr("--teeth: %ld is not a permanent tooth in %s numbering (%s)",
					  v, numbering == DSR_TEETH_FDI ? "FDI" : "Universal",
					  numbering == DSR_TEETH_FDI ? "11-18, 21-28, 31-38, 41-48"
								     : "1-32");
		for (unsigned i = 0; i < t->n; i++)
			if (t->fdi[i] == fdi)
				return dsr_seterr("--teeth: tooth %ld given twice", v);
		if (t->n == DSR_TEETH_MAX)
			return dsr_seterr("--teeth: more than %d teeth", DSR_TEETH_MAX);
		t->fdi[t->n++] = (uint8_t)fdi;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return dsr_seterr("--teeth '%s': a number after the last comma", list);
	}
	if (!t->n)
		return dsr_seterr("--teeth: no tooth given");
	return 0;
}

int dsr_tooth_code(unsigned fdi, char *code, size_t code_size, const char **scheme,
		   char *meaning, size_t meaning_size)
{
	static const char *const kind[9] = { "", "central incisor", "lateral incisor", "canine",
					     "first premolar", "second premolar", "first molar",
					     "second molar", "third molar" };
	unsigned u = dsr_tooth_universal(fdi), q = fdi / 10;

	if (!u)
		return -1;
	/* CID 4018 numbers the SRT codes T-54210 (tooth 1) .. T-54520 (tooth 32) */
	snprintf(code, code_size, "T-54%03u", 210 + 10 * (u - 1));
	*scheme = "SRT";
	if (fdi == 32)	/* the standard's own wording for this one */
		snprintf(meaning, meaning_size, "Mandibular left lateral tooth");
	else
		snprintf(meaning, meaning_size, "%s %s %s tooth", q <= 2 ? "Maxillary" : "Mandibular",
			 q == 1 || q == 4 ? "right" : "left", kind[fdi % 10]);
	return 0;
}

/* CID 4018's SNOMED CT concepts, Universal tooth 1..32 in order. */
static const char *const sct_teeth[32] = {
	"68085002", "863902006", "865995000", "36492000", "57826002", "860767006",
	"424877001", "422653006", "424399000", "423185002", "860780009", "61897005",
	"23226009", "865988009", "863901004", "87704003", "74344005", "863898000",
	"866006002", "24573005", "2400006", "860782001", "423331005", "425106001",
	"424575004", "423937004", "860785004", "80140008", "8873007", "866005003",
	"863899008", "38994002",
};

unsigned dsr_tooth_from_code(const char *scheme, const char *value)
{
	if (!scheme || !value)
		return 0;
	if (!strcmp(scheme, "SRT") && strlen(value) == 7 && !strncmp(value, "T-54", 4)) {
		unsigned n = (unsigned)atoi(value + 4);

		if (n >= 210 && n <= 520 && n % 10 == 0)
			return fdi_of_universal((n - 210) / 10 + 1);
		return 0;
	}
	if (!strcmp(scheme, "SCT"))
		for (unsigned u = 0; u < 32; u++)
			if (!strcmp(value, sct_teeth[u]))
				return fdi_of_universal(u + 1);
	return 0;
}

void dsr_teeth_format(const struct dsr_teeth *t, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!t || !t->n)
		return;
	n += (size_t)snprintf(buf + n, size - n, "FDI ");
	for (unsigned i = 0; i < t->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? ", " : "", t->fdi[i]);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, " (UNIVERSAL ");
	for (unsigned i = 0; i < t->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? ", " : "",
				      dsr_tooth_universal(t->fdi[i]));
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

int dsr_visit_date_parse(const char *what, const char *s, char *out)
{
	char norm[16];

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-')
		snprintf(norm, sizeof(norm), "%.4s%.2s%.2s", s, s + 5, s + 8);
	else
		snprintf(norm, sizeof(norm), "%.15s", s);
	if (dsr_vr_check("DA", what, norm) < 0)
		return -1;
	memcpy(out, norm, 9);
	return 0;
}

void dsr_visit_format(const char *da, const char *tm, char *buf, size_t size)
{
	if (!da || strlen(da) < 8) {
		snprintf(buf, size, "unknown");
		return;
	}
	if (tm && strlen(tm) >= 4)
		snprintf(buf, size, "%.4s-%.2s-%.2s %.2s:%.2s", da, da + 4, da + 6, tm, tm + 2);
	else
		snprintf(buf, size, "%.4s-%.2s-%.2s", da, da + 4, da + 6);
}

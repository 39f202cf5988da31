/*
 * answer.cc - C-FIND answers from a PACS, checked before anything uses them, and tooth
 * numbers (FDI / ISO 3950 and Universal). See pacs.h.
 *
 * DCMTK checks the DIMSE framing and the dataset encoding; what a value means is ours to
 * check: UIDs that will be sent back in a C-GET, dates that order the priors, strings
 * that end up on a terminal.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcistrmb.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "dicom/dicom_priv.h"
#include "dsr/error.h"
#include "dsr/pacs.h"
#include "pacs_priv.h"

namespace {

/* PS3.5 9.1: digits and dots, components without leading zeros, at most 64 characters. */
bool valid_uid(const OFString &s)
{
	if (s.empty() || s.size() > 64 || s[0] == '.' || s[s.size() - 1] == '.')
		return false;
	for (size_t i = 0; i < s.size(); i++) {
		char ch = s[i];
		if (ch == '.') {
			if (s[i + 1] == '.')
				return false;
			continue;
		}
		if (!isdigit((unsigned char)ch))
			return false;
		/* a component of more than one digit may not start with 0 */
		if (ch == '0' && (i == 0 || s[i - 1] == '.') && i + 1 < s.size() && s[i + 1] != '.')
			return false;
	}
	return true;
}

bool digits(const OFString &s, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++)
		if (i >= s.size() || !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int num(const OFString &s, size_t from, size_t n)
{
	return atoi(s.substr(from, n).c_str());
}

/* DA: YYYYMMDD, a real calendar date. */
bool valid_da(const OFString &s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (s.size() != 8 || !digits(s, 0, 8))
		return false;
	int y = num(s, 0, 4), m = num(s, 4, 2), d = num(s, 6, 2);
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && !leap);
}

/* TM: HH[MM[SS[.F{1,6}]]]. */
bool valid_tm(const OFString &s)
{
	size_t n = s.size(), dot = s.find('.');
	size_t whole = dot == OFString_npos ? n : dot;
	if (whole != 2 && whole != 4 && whole != 6)
		return false;
	if (!digits(s, 0, whole) || num(s, 0, 2) > 23 || (whole >= 4 && num(s, 2, 2) > 59) ||
	    (whole == 6 && num(s, 4, 2) > 60))
		return false;
	if (dot == OFString_npos)
		return true;
	return whole == 6 && n - dot - 1 >= 1 && n - dot - 1 <= 6 && digits(s, dot + 1, n - dot - 1);
}

/* A string value, trimmed of DICOM padding; "" if absent. */
OFString get(DcmItem *ds, const DcmTagKey &tag)
{
	OFString v;
	if (ds->findAndGetOFStringArray(tag, v).bad())
		return "";
	size_t b = 0, e = v.size();
	while (b < e && v[b] == ' ')
		b++;
	while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\0'))
		e--;
	return v.substr(b, e - b);
}

/* Copy text for display: control characters become '?'; refused if it does not fit. */
bool copy_text(char *dst, size_t size, const OFString &v)
{
	if (v.size() >= size)
		return false;
	for (size_t i = 0; i < v.size(); i++) {
		unsigned char ch = (unsigned char)v[i];
		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[v.size()] = '\0';
	return true;
}

int bad(const char *what, const OFString &v)
{
	char shown[80];
	copy_text(shown, sizeof(shown), v.size() < 70 ? v : v.substr(0, 69));
	return dsr_seterr("PACS answer: %s '%s' is not valid", what, shown);
}

/* A UID attribute that must be present and valid. */
int take_uid(DcmItem *ds, const DcmTagKey &tag, const char *what, char *dst)
{
	OFString v = get(ds, tag);
	if (v.empty())
		return dsr_seterr("PACS answer without %s", what);
	if (!valid_uid(v))
		return bad(what, v);
	memcpy(dst, v.c_str(), v.size() + 1);
	return 0;
}

/* An optional date (DA) or time (TM). */
int take_date(DcmItem *ds, const DcmTagKey &tag, const char *what, char *dst, bool time)
{
	OFString v = get(ds, tag);
	if (v.empty())
		return 0;
	if (time ? !valid_tm(v) : !valid_da(v))
		return bad(what, v);
	snprintf(dst, time ? DSR_DICOM_TM_LEN : DSR_DICOM_DA_LEN, "%s", v.c_str());
	return 0;
}

/* FDI (ISO 3950) two-digit tooth numbers, permanent and deciduous. */
bool valid_fdi(int t)
{
	int q = t / 10, n = t % 10;
	if (q >= 1 && q <= 4)
		return n >= 1 && n <= 8;
	if (q >= 5 && q <= 8)
		return n >= 1 && n <= 5;
	return false;
}

int universal_to_fdi(const char *s);

/*
 * The FDI number of one tooth code, 0 if it is none: ISO 3950 (scheme ISO3950 or FDI,
 * the two-digit number) or DICOM CID 4018 (scheme SRT, T-54210 for Universal tooth 1 in
 * steps of 10 up to T-54520 for tooth 32, as libdsr's record writes them).
 */
int tooth_of_code(const OFString &scheme, const OFString &value)
{
	if ((scheme == "ISO3950" || scheme == "FDI") && value.size() == 2 && digits(value, 0, 2))
		return valid_fdi(num(value, 0, 2)) ? num(value, 0, 2) : 0;
	if (scheme == "SRT" && value.size() == 7 && value.compare(0, 4, "T-54") == 0 &&
	    digits(value, 4, 3)) {
		int n = num(value, 4, 3) - 210;
		if (n < 0 || n % 10 || n / 10 >= 32)
			return 0;
		return universal_to_fdi(std::to_string(n / 10 + 1).c_str());
	}
	return 0;
}

/* Tooth codes of one code sequence into @teeth, as FDI numbers. */
void collect_codes(DcmItem *it, const DcmTagKey &seq, OFString &teeth)
{
	DcmItem *code = nullptr;
	for (int i = 0; i < 64 && it->findAndGetSequenceItem(seq, code, i).good() && code; i++) {
		int t = tooth_of_code(get(code, DCM_CodingSchemeDesignator), get(code, DCM_CodeValue));
		char fdi[4];
		if (!t)
			continue;
		snprintf(fdi, sizeof(fdi), "%02d", t);
		if (teeth.size() + 3 < DSR_PACS_TEETH_LEN && teeth.find(fdi) == OFString_npos)
			teeth += OFString(teeth.empty() ? "" : " ") + fdi;
	}
}

void collect_teeth(DcmItem *ds, OFString &teeth)
{
	DcmItem *region = nullptr;
	collect_codes(ds, DCM_PrimaryAnatomicStructureSequence, teeth);
	for (int i = 0; i < 16 && ds->findAndGetSequenceItem(DCM_AnatomicRegionSequence, region, i).good() &&
			region; i++) {
		collect_codes(region, DCM_PrimaryAnatomicStructureSequence, teeth);
		collect_codes(region, DCM_AnatomicRegionModifierSequence, teeth);
	}
}

int parse(DcmItem *ds, dsr_pacs_match *m)
{
	memset(m, 0, sizeof(*m));
	if (take_uid(ds, DCM_StudyInstanceUID, "Study Instance UID", m->study_uid) < 0 ||
	    take_uid(ds, DCM_SeriesInstanceUID, "Series Instance UID", m->series_uid) < 0 ||
	    take_uid(ds, DCM_SOPInstanceUID, "SOP Instance UID", m->sop_uid) < 0)
		return -1;
	OFString cls = get(ds, DCM_SOPClassUID);
	if (!cls.empty() && !valid_uid(cls))
		return bad("SOP Class UID", cls);
	memcpy(m->sop_class_uid, cls.c_str(), cls.size() + 1);
	if (take_date(ds, DCM_StudyDate, "Study Date", m->study_date, false) < 0)
		return -1;
	/* the image's own date: acquisition, else content, else the study's */
	static const DcmTagKey dates[][2] = { { DCM_AcquisitionDate, DCM_AcquisitionTime },
					      { DCM_ContentDate, DCM_ContentTime },
					      { DCM_StudyDate, DCM_StudyTime } };
	for (const auto &dt : dates) {
		if (take_date(ds, dt[0], "date", m->date, false) < 0 ||
		    take_date(ds, dt[1], "time", m->time, true) < 0)
			return -1;
		if (m->date[0])
			break;
		m->time[0] = '\0';
	}
	OFString mod = get(ds, DCM_Modality);
	for (char ch : mod)
		if (!isupper((unsigned char)ch) && !isdigit((unsigned char)ch) && ch != '_' && ch != ' ')
			return bad("Modality", mod);
	if (!copy_text(m->modality, sizeof(m->modality), mod))
		return bad("Modality", mod);
	if (!copy_text(m->patient_id, sizeof(m->patient_id), get(ds, DCM_PatientID)) ||
	    !copy_text(m->patient_name, sizeof(m->patient_name), get(ds, DCM_PatientName)) ||
	    !copy_text(m->series_description, sizeof(m->series_description),
		       get(ds, DCM_SeriesDescription)))
		return dsr_seterr("PACS answer: a patient or series text is longer than DICOM allows");
	OFString type = get(ds, DCM_ImageType);
	m->derived = type.compare(0, 7, "DERIVED") == 0;
	OFString teeth;
	collect_teeth(ds, teeth);
	memcpy(m->teeth, teeth.c_str(), teeth.size() + 1);
	return 0;
}

/*
 * Before DCMTK reads a data set from bytes: every element's length must fit in what is
 * left of its enclosing item or buffer. DCMTK allocates a value's declared length before
 * reading it, so a 10-byte answer that declares a 4 GB element would cost 4 GB first.
 * Implicit VR little endian: tag (4 bytes), length (4), value; undefined lengths (SQ,
 * items) end with a delimitation item. Returns the end of the scanned range, or nullptr.
 */
const uint8_t *scan(const uint8_t *p, const uint8_t *end, int depth, bool until_delim)
{
	if (depth > 16)
		return nullptr;
	while (p < end) {
		if (end - p < 8)
			return nullptr;
		uint16_t group = (uint16_t)(p[0] | p[1] << 8), elem = (uint16_t)(p[2] | p[3] << 8);
		uint32_t len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			       (uint32_t)p[7] << 24;
		p += 8;
		if (group == 0xfffe && (elem == 0xe00d || elem == 0xe0dd))
			return until_delim && len == 0 ? p : nullptr;
		bool item = group == 0xfffe && elem == 0xe000;
		bool sq = item || DcmTag(group, elem).getEVR() == EVR_SQ;
		if (len == 0xffffffffu) {
			if (!sq || !(p = scan(p, end, depth + 1, true)))
				return nullptr;
			continue;
		}
		if (len > (size_t)(end - p))
			return nullptr;
		if (sq && !scan(p, p + len, depth + 1, false))
			return nullptr;
		p += len;
	}
	return until_delim ? nullptr : p;
}

/* Universal (1..32, A..T) to FDI; 0 if not a tooth. */
int universal_to_fdi(const char *s)
{
	if (isalpha((unsigned char)s[0]) && !s[1]) {
		int i = toupper((unsigned char)s[0]) - 'A';	/* A..T: deciduous */
		if (i < 0 || i >= 20)
			return 0;
		static const int q[] = { 5, 6, 7, 8 };
		int quad = i / 5, k = i % 5;
		/* A-E upper right 55..51, F-J upper left 61..65, K-O lower left 75..71,
		 * P-T lower right 81..85 */
		return q[quad] * 10 + (quad % 2 == 0 ? 5 - k : k + 1);
	}
	char *end;
	long u = strtol(s, &end, 10);
	if (*end || u < 1 || u > 32)
		return 0;
	if (u <= 8)
		return 10 + (int)(9 - u);	/* 1..8: 18..11 */
	if (u <= 16)
		return 20 + (int)(u - 8);	/* 9..16: 21..28 */
	if (u <= 24)
		return 30 + (int)(25 - u);	/* 17..24: 38..31 */
	return 40 + (int)(u - 24);		/* 25..32: 41..48 */
}

} /* namespace */

extern "C" {

int dsr_pacs_valid_uid(const char *s)
{
	return valid_uid(s);
}

int dsr_pacs_valid_da(const char *s)
{
	return valid_da(s);
}

int dsr_pacs_parse_answer(const void *ds, struct dsr_pacs_match *m)
{
	if (!ds)
		return dsr_seterr("PACS answer without a dataset");
	try {
		return parse(OFstatic_cast(DcmItem *, OFconst_cast(void *, ds)), m);
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS answer: out of memory");
	}
}

int dsr_pacs_parse_answer_bytes(const void *buf, size_t len, struct dsr_pacs_match *m)
{
	memset(m, 0, sizeof(*m));
	try {
		dsr_dicom_ensure_dictionary();
		const uint8_t *b = (const uint8_t *)buf;
		if (len > ((size_t)1 << 24) || !scan(b, b + len, 0, false))
			return dsr_seterr("PACS answer: not a data set (an element is longer than the "
					  "answer, or delimiters do not match)");
		DcmInputBufferStream in;
		in.setBuffer(buf, (offile_off_t)len);
		in.setEos();
		DcmDataset ds;
		ds.transferInit();
		OFCondition c = ds.read(in, EXS_LittleEndianImplicit, EGL_noChange, 4096);
		ds.transferEnd();
		if (c.bad())
			return dsr_seterr("PACS answer: not a dataset: %s", c.text());
		return parse(&ds, m);
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS answer: out of memory");
	}
}

int dsr_pacs_describe_file(const char *path, struct dsr_pacs_match *m)
{
	memset(m, 0, sizeof(*m));
	try {
		dsr_dicom_ensure_dictionary();
		DcmFileFormat ff;
		OFCondition c = ff.loadFile(path, EXS_Unknown, EGL_noChange, 256);
		if (c.bad())
			return dsr_seterr("%s: cannot read DICOM: %s", path, c.text());
		return parse(ff.getDataset(), m);
	} catch (const std::bad_alloc &) {
		return dsr_seterr("%s: out of memory", path);
	}
}

int dsr_pacs_tooth_fdi(const char *tooth)
{
	if (!tooth || !*tooth)
		return 0;
	if (!strncmp(tooth, "fdi:", 4))
		tooth += 4;
	else if (!strncmp(tooth, "universal:", 10))
		return universal_to_fdi(tooth + 10);
	else if (tooth[0] == 'U' || tooth[0] == 'u')
		return tooth[1] ? universal_to_fdi(tooth + 1) : 0;
	if (strlen(tooth) != 2 || !isdigit((unsigned char)tooth[0]) || !isdigit((unsigned char)tooth[1]))
		return 0;
	int t = atoi(tooth);
	return valid_fdi(t) ? t : 0;
}

int dsr_pacs_match_tooth(const struct dsr_pacs_match *m, const char *tooth)
{
	int t = dsr_pacs_tooth_fdi(tooth);
	char want[4];
	if (!t)
		return 0;
	snprintf(want, sizeof(want), "%02d", t);
	for (const char *p = m->teeth; (p = strstr(p, want)) != nullptr; p += 2)
		if ((p == m->teeth || p[-1] == ' ') && (p[2] == '\0' || p[2] == ' '))
			return 1;
	return 0;
}

} /* extern "C" */

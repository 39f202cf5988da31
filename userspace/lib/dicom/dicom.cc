/*
 * dicom.cc - DICOM reading and writing for libdsr, on DCMTK, behind the C API of
 * dsr/dicom.h.
 *
 * DCMTK does the file format (meta header, transfer syntaxes, VR rules, byte order);
 * this file decides what a grey radiograph is (which images we accept, how stored values
 * become dsr_image pixels) and what a DSR difference image says about itself. No C++
 * exception leaves this file: every entry point catches and turns failure into
 * dsr_seterr() + -1/NULL.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <openjpeg.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <unistd.h>
#include <vector>

#include "dicom_priv.h"
#include "dsr/dicom.h"
#include "dsr/error.h"

namespace dsrdcm {

void put(DcmItem *it, const DcmTagKey &tag, const char *v, OFCondition &c)
{
	if (c.good())
		c = it->putAndInsertString(DcmTag(tag), v ? v : "");
}

void now_da_tm(char *da, char *tm)
{
	time_t t = time(nullptr);
	struct tm lt;
	localtime_r(&t, &lt);
	strftime(da, DSR_DICOM_DA_LEN, "%Y%m%d", &lt);
	strftime(tm, DSR_DICOM_TM_LEN, "%H%M%S", &lt);
}

void put_source_purpose(DcmItem *item, OFCondition &c)
{
	DcmItem *code = nullptr;
	if (c.good())
		c = item->findOrCreateSequenceItem(DcmTag(DCM_PurposeOfReferenceCodeSequence), code,
						   -2);
	put(code, DCM_CodeValue, "121322", c);
	put(code, DCM_CodingSchemeDesignator, "DCM", c);
	put(code, DCM_CodeMeaning, "Source image for image processing operation", c);
}

int save_file(DcmFileFormat &ff, const char *path)
{
	std::string tmp = std::string(path) + ".tmp";
	OFCondition c = ff.saveFile(tmp.c_str(), EXS_LittleEndianExplicit);
	if (c.bad()) {
		unlink(tmp.c_str());
		return dsr_seterr("%s: cannot write DICOM: %s", path, c.text());
	}
	if (rename(tmp.c_str(), path) != 0) {
		unlink(tmp.c_str());
		return dsr_seterr("%s: cannot rename the written DICOM into place: %s", path,
				  strerror(errno));
	}
	return 0;
}

} /* namespace dsrdcm */

namespace {

using dsrdcm::now_da_tm;
using dsrdcm::put;
using dsrdcm::put_source_purpose;

/* Bytes of the preamble before the "DICM" magic of a Part 10 file. */
constexpr size_t kPreamble = 128;

/* The layout of the stored pixels, as the Image Pixel module describes it. */
struct pixel_layout {
	Uint16 rows, cols, samples, bits_allocated, bits_stored, high_bit, signed_px;
	Sint32 frames;
	std::string photometric;
	double slope, intercept;
};

/* Copy a DCMTK string into a fixed C buffer, truncated and always terminated. */
void copy_str(char *dst, size_t size, const OFString &src)
{
	size_t n = src.length() < size - 1 ? src.length() : size - 1;
	memcpy(dst, src.c_str(), n);
	dst[n] = '\0';
}

/* One string attribute of @ds into @dst ("" when absent); the whole value, all parts. */
void get_str(DcmItem *ds, const DcmTagKey &tag, char *dst, size_t size)
{
	OFString v;
	if (ds->findAndGetOFStringArray(tag, v).bad())
		v.clear();
	copy_str(dst, size, v);
}

/* When the image was taken (dicom.h: the first of these that has a date). */
void read_acquisition(DcmItem *ds, dsr_dicom_identity *id)
{
	char dt[40];
	get_str(ds, DCM_AcquisitionDateTime, dt, sizeof(dt));
	if (strlen(dt) >= 8) {
		snprintf(id->acquisition_date, sizeof(id->acquisition_date), "%.8s", dt);
		snprintf(id->acquisition_time, sizeof(id->acquisition_time), "%.6s", dt + 8);
		return;
	}
	const DcmTagKey pairs[][2] = { { DCM_AcquisitionDate, DCM_AcquisitionTime },
				       { DCM_ContentDate, DCM_ContentTime },
				       { DCM_StudyDate, DCM_StudyTime } };
	for (const auto &p : pairs) {
		get_str(ds, p[0], id->acquisition_date, sizeof(id->acquisition_date));
		if (strlen(id->acquisition_date) == 8) {
			get_str(ds, p[1], id->acquisition_time, sizeof(id->acquisition_time));
			return;
		}
	}
	id->acquisition_date[0] = id->acquisition_time[0] = '\0';
}

/* libdsr never prints: DCMTK's own log output (warnings about odd files) is switched off
 * once, and what matters comes back to the caller as an error message instead. The data
 * dictionary is made sure of at the same time (dicom_priv.h), and DCMTK's decoders are
 * registered: dcmjpeg (JPEG baseline, extended, lossless), dcmjpls (JPEG-LS), dcmrle. */
void quiet_dcmtk()
{
	static bool done;
	if (!done) {
		OFLog::configure(OFLogger::OFF_LOG_LEVEL);
		dsr_dicom_ensure_dictionary();
		DJDecoderRegistration::registerCodecs();
		DJLSDecoderRegistration::registerCodecs();
		DcmRLEDecoderRegistration::registerCodecs();
		done = true;
	}
}

/* Open @path as a Part 10 file; refuses anything without the "DICM" preamble. */
int open_file(const char *path, DcmFileFormat &ff)
{
	quiet_dcmtk();
	if (!dsr_dicom_probe(path))
		return dsr_seterr("%s: not a DICOM Part 10 file (no \"DICM\" at byte 128)", path);
	OFCondition c = ff.loadFile(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
				    ERM_fileOnly);
	if (c.bad())
		return dsr_seterr("%s: cannot read DICOM: %s", path, c.text());
	return 0;
}

/* Read the Image Pixel module and refuse what dsr images cannot hold, saying why. */
int read_layout(const char *path, DcmDataset *ds, pixel_layout &l)
{
	if (ds->findAndGetUint16(DCM_Rows, l.rows).bad() ||
	    ds->findAndGetUint16(DCM_Columns, l.cols).bad())
		return dsr_seterr("%s: DICOM without Rows/Columns: not an image", path);
	if (ds->findAndGetUint16(DCM_SamplesPerPixel, l.samples).bad())
		l.samples = 1;
	OFString pi;
	if (ds->findAndGetOFString(DCM_PhotometricInterpretation, pi).bad())
		return dsr_seterr("%s: DICOM without PhotometricInterpretation", path);
	l.photometric = pi.c_str();
	if (l.samples != 1 || (l.photometric != "MONOCHROME1" && l.photometric != "MONOCHROME2"))
		return dsr_seterr("%s: colour DICOM (%s, %u samples per pixel) is not supported; "
				  "only grey MONOCHROME1/MONOCHROME2", path, pi.c_str(), l.samples);
	if (ds->findAndGetSint32(DCM_NumberOfFrames, l.frames).bad())
		l.frames = 1;
	if (l.frames < 1)
		return dsr_seterr("%s: NumberOfFrames %d", path, (int)l.frames);
	if (ds->findAndGetUint16(DCM_BitsAllocated, l.bits_allocated).bad() ||
	    ds->findAndGetUint16(DCM_BitsStored, l.bits_stored).bad())
		return dsr_seterr("%s: DICOM without BitsAllocated/BitsStored", path);
	if (ds->findAndGetUint16(DCM_HighBit, l.high_bit).bad())
		l.high_bit = l.bits_stored - 1;
	if (ds->findAndGetUint16(DCM_PixelRepresentation, l.signed_px).bad())
		l.signed_px = 0;
	if (l.bits_allocated != 8 && l.bits_allocated != 16)
		return dsr_seterr("%s: BitsAllocated %u is not supported (8 or 16)", path,
				  l.bits_allocated);
	if (l.bits_stored < 8 || l.bits_stored > l.bits_allocated)
		return dsr_seterr("%s: BitsStored %u is not supported (8..%u)", path,
				  l.bits_stored, l.bits_allocated);
	if (l.high_bit >= l.bits_allocated || l.high_bit + 1 < l.bits_stored)
		return dsr_seterr("%s: HighBit %u does not fit BitsStored %u in BitsAllocated %u",
				  path, l.high_bit, l.bits_stored, l.bits_allocated);
	if (l.rows == 0 || l.cols == 0 || l.rows > DSR_IMAGE_MAX_DIM || l.cols > DSR_IMAGE_MAX_DIM ||
	    (uint64_t)l.rows * l.cols > DSR_IMAGE_MAX_PIXELS)
		return dsr_seterr("%s: DICOM image size %ux%u is outside the limits (1..%u per side, "
				  "at most %u pixels)", path, l.cols, l.rows, DSR_IMAGE_MAX_DIM,
				  DSR_IMAGE_MAX_PIXELS);
	/* the whole decoded pixel data must fit the budget before anything is decoded */
	uint64_t bytes = (uint64_t)l.rows * l.cols * (uint64_t)l.frames * (l.bits_allocated / 8);
	if (bytes > DSR_DECODE_BUDGET)
		return dsr_seterr("%s: %d frames of %ux%u would decode to %llu MiB, over the memory "
				  "budget of %u MiB", path, (int)l.frames, l.cols, l.rows,
				  (unsigned long long)(bytes >> 20), DSR_DECODE_BUDGET >> 20);
	if (ds->findAndGetFloat64(DCM_RescaleSlope, l.slope).bad())
		l.slope = 1.0;
	if (ds->findAndGetFloat64(DCM_RescaleIntercept, l.intercept).bad())
		l.intercept = 0.0;
	if (!std::isfinite(l.slope) || !std::isfinite(l.intercept) || l.slope == 0.0)
		return dsr_seterr("%s: unusable RescaleSlope %g / RescaleIntercept %g", path,
				  l.slope, l.intercept);
	return 0;
}

/* The stored value of pixel @i: its bits at HighBit, sign-extended when signed. */
long stored_value(const pixel_layout &l, const Uint8 *p8, const Uint16 *p16, size_t i)
{
	unsigned raw = l.bits_allocated == 8 ? p8[i] : p16[i];
	unsigned shift = l.high_bit + 1 - l.bits_stored;
	unsigned mask = (1u << l.bits_stored) - 1;
	long v = (raw >> shift) & mask;
	if (l.signed_px && (v & (1l << (l.bits_stored - 1))))
		v -= 1l << l.bits_stored;
	return v;
}

/* Bits needed for values 0..@hi, within the 8..16 that dsr images hold. */
uint32_t bits_for(double hi)
{
	uint32_t b = 8;
	while (b < 16 && hi > (double)((1u << b) - 1))
		b++;
	return b;
}

/*
 * How stored values become pixels: out = round((slope * s + intercept - offset) * scale),
 * chosen from the range of values the stored bits can hold (so that every image of a
 * series with the same encoding maps the same way, whatever its content).
 */
struct value_map {
	bool identity;
	double offset, scale;
	uint32_t bits;
};

value_map choose_map(const pixel_layout &l)
{
	value_map m{};
	double smin = l.signed_px ? -std::ldexp(1.0, l.bits_stored - 1) : 0.0;
	double smax = l.signed_px ? std::ldexp(1.0, l.bits_stored - 1) - 1 : std::ldexp(1.0, l.bits_stored) - 1;
	if (!l.signed_px && l.slope == 1.0 && l.intercept == 0.0) {
		m.identity = true;
		m.bits = l.bits_stored;
		return m;
	}
	double a = l.slope * smin + l.intercept, b = l.slope * smax + l.intercept;
	double lo = a < b ? a : b, hi = a < b ? b : a;
	m.scale = 1.0;
	if (lo >= 0.0 && hi <= 65535.0) {
		m.offset = 0.0;
		m.bits = bits_for(hi);
	} else if (hi - lo <= 65535.0) {
		m.offset = lo;
		m.bits = bits_for(hi - lo);
	} else {
		m.offset = lo;
		m.scale = 65535.0 / (hi - lo);
		m.bits = 16;
	}
	return m;
}

/* Convert every stored value into @im's pixels, inverting MONOCHROME1. */
void convert_pixels(const pixel_layout &l, const Uint8 *p8, const Uint16 *p16, dsr_image *im)
{
	value_map m = choose_map(l);
	uint32_t maxv = (1u << m.bits) - 1;
	size_t n = (size_t)l.rows * l.cols;
	bool invert = l.photometric == "MONOCHROME1";
	im->bits = m.bits;
	for (size_t i = 0; i < n; i++) {
		long s = stored_value(l, p8, p16, i);
		double v = m.identity ? (double)s
				      : std::floor(((l.slope * s + l.intercept) - m.offset) * m.scale + 0.5);
		uint32_t u = v < 0 ? 0 : v > maxv ? maxv : (uint32_t)v;
		im->pixels[i] = (uint16_t)(invert ? maxv - u : u);
	}
}

/* Pixel data of frame @frame, checked for length against the layout. */
int get_pixels(const char *path, DcmDataset *ds, const pixel_layout &l, long frame,
	       const Uint8 *&p8, const Uint16 *&p16)
{
	unsigned long count = 0;
	size_t fsize = (size_t)l.rows * l.cols, need = fsize * (size_t)l.frames;
	OFCondition c;
	p8 = nullptr;
	p16 = nullptr;
	if (l.bits_allocated == 8)
		c = ds->findAndGetUint8Array(DCM_PixelData, p8, &count);
	else
		c = ds->findAndGetUint16Array(DCM_PixelData, p16, &count);
	if (c.bad() || (!p8 && !p16))
		return dsr_seterr("%s: DICOM without usable PixelData: %s", path, c.text());
	if (count < need)
		return dsr_seterr("%s: PixelData holds %lu values, %d frame(s) of %ux%u need %zu",
				  path, count, (int)l.frames, l.cols, l.rows, need);
	if (p8)
		p8 += fsize * (size_t)frame;
	else
		p16 += fsize * (size_t)frame;
	return 0;
}

/* ---- JPEG 2000 through OpenJPEG ---------------------------------------------------- */

/* A codestream in memory as an OpenJPEG input stream. */
struct mem_stream {
	const Uint8 *p;
	size_t n, pos;
};

OPJ_SIZE_T mem_read(void *buf, OPJ_SIZE_T n, void *user)
{
	mem_stream *m = static_cast<mem_stream *>(user);
	if (m->pos >= m->n)
		return (OPJ_SIZE_T)-1;
	size_t k = n < m->n - m->pos ? n : m->n - m->pos;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return k;
}

OPJ_OFF_T mem_skip(OPJ_OFF_T n, void *user)
{
	mem_stream *m = static_cast<mem_stream *>(user);
	if (n < 0 ? (size_t)-n > m->pos : (size_t)n > m->n - m->pos)
		return -1;
	m->pos += n;
	return n;
}

OPJ_BOOL mem_seek(OPJ_OFF_T to, void *user)
{
	mem_stream *m = static_cast<mem_stream *>(user);
	if (to < 0 || (size_t)to > m->n)
		return OPJ_FALSE;
	m->pos = (size_t)to;
	return OPJ_TRUE;
}

void opj_message(const char *msg, void *user)
{
	std::string *s = static_cast<std::string *>(user);
	if (s->empty())
		*s = msg;
	while (!s->empty() && (s->back() == '\n' || s->back() == ' '))
		s->pop_back();
}

/* The compressed bytes of frame @frame: fragments after the offset table, a new frame
 * at each fragment that starts with a codestream's SOC marker (FF 4F) or JP2 box. */
int j2k_frame_bytes(const char *path, DcmDataset *ds, long frame, std::vector<Uint8> &out)
{
	DcmElement *e = nullptr;
	if (ds->findAndGetElement(DCM_PixelData, e).bad() || !e)
		return dsr_seterr("%s: DICOM without PixelData", path);
	DcmPixelData *pd = static_cast<DcmPixelData *>(e);
	DcmPixelSequence *seq = nullptr;
	E_TransferSyntax xs = ds->getOriginalXfer();
	if (pd->getEncapsulatedRepresentation(xs, nullptr, seq).bad() || !seq)
		return dsr_seterr("%s: JPEG 2000 pixel data is not encapsulated", path);
	long cur = -1;
	for (unsigned long i = 1; i < seq->card(); i++) {
		DcmPixelItem *it = nullptr;
		Uint8 *b = nullptr;
		if (seq->getItem(it, i).bad() || !it || it->getUint8Array(b).bad())
			return dsr_seterr("%s: unreadable JPEG 2000 fragment %lu", path, i);
		Uint32 n = it->getLength();
		bool start = n >= 2 && b && ((b[0] == 0xff && b[1] == 0x4f) ||
					     (n >= 8 && !memcmp(b + 4, "jP  ", 4)));
		if (start || cur < 0)
			cur++;
		if (cur == frame && b)
			out.insert(out.end(), b, b + n);
		if (cur > frame)
			break;
	}
	if (out.empty())
		return dsr_seterr("%s: JPEG 2000 frame %ld not found in the pixel data", path,
				  frame + 1);
	return 0;
}

/* Decode frame @frame of a JPEG 2000 file into stored values (low bits of @px, two's
 * complement within BitsStored when signed). */
int decode_j2k(const char *path, DcmDataset *ds, const pixel_layout &l, long frame,
	       std::vector<Uint16> &px)
{
	std::vector<Uint8> bytes;
	if (j2k_frame_bytes(path, ds, frame, bytes) < 0)
		return -1;
	bool jp2 = bytes.size() >= 8 && !memcmp(&bytes[4], "jP  ", 4);
	mem_stream m{ bytes.data(), bytes.size(), 0 };
	std::string err;
	opj_stream_t *st = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
	opj_codec_t *codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
	opj_image_t *img = nullptr;
	opj_dparameters_t prm;
	int rc = -1;
	if (!st || !codec) {
		dsr_seterr("%s: OpenJPEG could not start", path);
		goto out;
	}
	opj_stream_set_user_data(st, &m, nullptr);
	opj_stream_set_user_data_length(st, bytes.size());
	opj_stream_set_read_function(st, mem_read);
	opj_stream_set_skip_function(st, mem_skip);
	opj_stream_set_seek_function(st, mem_seek);
	opj_set_error_handler(codec, opj_message, &err);
	opj_set_default_decoder_parameters(&prm);
	if (!opj_setup_decoder(codec, &prm) || !opj_read_header(st, codec, &img) || !img) {
		dsr_seterr("%s: JPEG 2000 header: %s", path, err.empty() ? "unreadable" : err.c_str());
		goto out;
	}
	if (img->numcomps != 1 || img->x1 - img->x0 != l.cols || img->y1 - img->y0 != l.rows) {
		dsr_seterr("%s: the JPEG 2000 codestream is %u component(s) of %ux%u, the DICOM "
			   "header says 1 of %ux%u", path, img->numcomps, img->x1 - img->x0,
			   img->y1 - img->y0, l.cols, l.rows);
		goto out;
	}
	if (img->comps[0].prec > l.bits_stored || img->comps[0].prec < 1) {
		dsr_seterr("%s: the JPEG 2000 codestream has %u-bit samples, BitsStored is %u",
			   path, img->comps[0].prec, l.bits_stored);
		goto out;
	}
	if (!opj_decode(codec, st, img) || !opj_end_decompress(codec, st) || !img->comps[0].data) {
		dsr_seterr("%s: JPEG 2000 decoding failed: %s", path,
			   err.empty() ? "corrupt codestream" : err.c_str());
		goto out;
	}
	{
		size_t n = (size_t)l.rows * l.cols;
		Uint32 mask = l.bits_stored >= 16 ? 0xffffu : (1u << l.bits_stored) - 1;
		const OPJ_INT32 *d = img->comps[0].data;
		px.resize(n);
		for (size_t i = 0; i < n; i++)
			px[i] = (Uint16)((Uint32)d[i] & mask);
	}
	rc = 0;
out:
	if (img)
		opj_image_destroy(img);
	if (codec)
		opj_destroy_codec(codec);
	if (st)
		opj_stream_destroy(st);
	return rc;
}

bool is_j2k(E_TransferSyntax x)
{
	return x == EXS_JPEG2000LosslessOnly || x == EXS_JPEG2000 ||
	       x == EXS_JPEG2000MulticomponentLosslessOnly || x == EXS_JPEG2000Multicomponent;
}

/* Frame @frame of the file's pixels as stored values in @l's layout (@p8/@p16); a
 * compressed file is decoded first, by DCMTK's decoder or (JPEG 2000) OpenJPEG into
 * @j2k, for which @l becomes 16 bits allocated with HighBit = BitsStored - 1. */
int frame_pixels(const char *path, DcmDataset *ds, pixel_layout &l, long frame,
		 std::vector<Uint16> &j2k, const Uint8 *&p8, const Uint16 *&p16)
{
	DcmXfer xfer(ds->getOriginalXfer());
	if (frame < 0 && l.frames > 1)
		return dsr_seterr("%s: multi-frame DICOM (%d frames): choose one with --frame N",
				  path, (int)l.frames);
	if (frame < 0)
		frame = 0;
	if (frame >= l.frames)
		return dsr_seterr("%s: frame %ld asked for, the file has %d", path, frame + 1,
				  (int)l.frames);
	if (is_j2k(xfer.getXfer())) {
		if (decode_j2k(path, ds, l, frame, j2k) < 0)
			return -1;
		l.bits_allocated = 16;
		l.high_bit = l.bits_stored - 1;
		p8 = nullptr;
		p16 = j2k.data();
		return 0;
	}
	if (xfer.isEncapsulated()) {
		OFCondition c = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
		if (c.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit))
			return dsr_seterr("%s: cannot decode %s: %s", path, xfer.getXferName(),
					  c.bad() ? c.text() : "no decoder for it");
	}
	return get_pixels(path, ds, l, frame, p8, p16);
}

bool non_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s > 0x7f)
			return true;
	return false;
}

/* Patient and General Study modules from @id (type 2 attributes present even if empty).
 * UTF-8 text anywhere in what is written (@extra: the derivation and comments) without a
 * character set of the source's own is declared as ISO_IR 192. */
void put_identity(DcmDataset *ds, const dsr_dicom_identity &id, const char *const *extra,
		  OFCondition &c)
{
	bool utf8 = non_ascii(id.patient_name) || non_ascii(id.patient_id) ||
		    non_ascii(id.study_description) || non_ascii(id.referring_physician) ||
		    non_ascii(id.study_id) || non_ascii(id.accession_number);
	for (; extra && *extra; extra++)
		utf8 = utf8 || non_ascii(*extra);
	if (id.specific_character_set[0])
		put(ds, DCM_SpecificCharacterSet, id.specific_character_set, c);
	else if (utf8)
		put(ds, DCM_SpecificCharacterSet, "ISO_IR 192", c);
	put(ds, DCM_PatientName, id.patient_name, c);
	put(ds, DCM_PatientID, id.patient_id, c);
	put(ds, DCM_PatientBirthDate, id.patient_birth_date, c);
	put(ds, DCM_PatientSex, id.patient_sex, c);
	put(ds, DCM_StudyInstanceUID, id.study_instance_uid, c);
	put(ds, DCM_StudyID, id.study_id, c);
	put(ds, DCM_StudyDate, id.study_date, c);
	put(ds, DCM_StudyTime, id.study_time, c);
	if (id.study_description[0])
		put(ds, DCM_StudyDescription, id.study_description, c);
	put(ds, DCM_AccessionNumber, id.accession_number, c);
	put(ds, DCM_ReferringPhysicianName, id.referring_physician, c);
}

/* One item naming a source instance in @seq; with the purpose code when @purpose. */
void put_reference(DcmDataset *ds, const DcmTagKey &seq, const dsr_dicom_identity &src,
		   bool purpose, OFCondition &c)
{
	DcmItem *item = nullptr;
	if (c.good())
		c = ds->findOrCreateSequenceItem(DcmTag(seq), item, -2);
	if (c.bad())
		return;
	put(item, DCM_ReferencedSOPClassUID, src.sop_class_uid, c);
	put(item, DCM_ReferencedSOPInstanceUID, src.sop_instance_uid, c);
	if (!purpose || c.bad())
		return;
	put_source_purpose(item, c);
}

/* A display window that shows the difference image's changes: centred on midgrey, as
 * wide as 2.5x the spread that holds 99.5% of the pixels. */
void window_for(const dsr_image *im, unsigned midgrey, double *centre, double *width)
{
	static const size_t kBins = 65536;
	size_t n = (size_t)im->width * im->height, acc = 0;
	unsigned long *hist = new unsigned long[kBins]();
	for (size_t i = 0; i < n; i++) {
		long d = (long)im->pixels[i] - (long)midgrey;
		hist[d < 0 ? -d : d]++;
	}
	size_t spread = 0;
	for (; spread < kBins - 1; spread++) {
		acc += hist[spread];
		if (acc * 1000 >= n * 995)
			break;
	}
	delete[] hist;
	double maxw = std::ldexp(1.0, im->bits);
	*centre = midgrey;
	*width = spread * 5.0 < 16.0 ? 16.0 : spread * 5.0 > maxw ? maxw : spread * 5.0;
}

/* What the Digital Intra-Oral X-Ray IOD needs from an acquisition and a difference image
 * cannot make up: copied from an intra-oral source, all of them or none. */
const DcmTagKey kIoRequired[] = {
	DCM_ImagerPixelSpacing, DCM_PositionerType, DCM_ImageLaterality,
	DCM_AnatomicRegionSequence, DCM_DetectorType, DCM_PatientOrientation,
};
const DcmTagKey kIoOptional[] = { DCM_PrimaryAnatomicStructureSequence };

/* Load @path's attributes into @ff if it is an intra-oral image carrying every one of
 * kIoRequired with a value; false otherwise (and for any error: SC is then written). */
bool load_io_source(const char *path, DcmFileFormat &ff)
{
	if (!path || !dsr_dicom_probe(path))
		return false;
	if (ff.loadFileUntilTag(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly,
				DCM_PixelData).bad())
		return false;
	DcmDataset *ds = ff.getDataset();
	OFString sop;
	if (ds->findAndGetOFString(DCM_SOPClassUID, sop).bad() ||
	    (sop != UID_DigitalIntraOralXRayImageStorageForPresentation &&
	     sop != UID_DigitalIntraOralXRayImageStorageForProcessing))
		return false;
	for (const DcmTagKey &t : kIoRequired) {
		DcmElement *e = nullptr;
		if (ds->findAndGetElement(t, e).bad() || !e || e->getLength() == 0)
			return false;
	}
	return true;
}

/* Copy @tag from @src into @ds if present (a deep copy). */
void copy_attr(DcmDataset *src, DcmDataset *ds, const DcmTagKey &tag, OFCondition &c)
{
	DcmElement *e = nullptr;
	if (c.good() && src->findAndGetElement(tag, e, OFFalse, OFTrue).good() && e) {
		c = ds->insert(e, OFTrue);
		if (c.bad())
			delete e;
	}
}

/* The intra-oral image's own modules: DX Series/Image/Detector, Intra-oral Image,
 * Acquisition Context; the acquisition's facts come from @io. */
void put_io_modules(DcmDataset *ds, DcmDataset *io, OFCondition &c)
{
	for (const DcmTagKey &t : kIoRequired)
		copy_attr(io, ds, t, c);
	for (const DcmTagKey &t : kIoOptional)
		copy_attr(io, ds, t, c);
	put(ds, DCM_PresentationIntentType, "FOR PRESENTATION", c);
	put(ds, DCM_PixelIntensityRelationship, "LIN", c);
	if (c.good())
		c = ds->putAndInsertSint16(DCM_PixelIntensityRelationshipSign, 1);
	put(ds, DCM_RescaleIntercept, "0", c);
	put(ds, DCM_RescaleSlope, "1", c);
	put(ds, DCM_RescaleType, "US", c);
	put(ds, DCM_PresentationLUTShape, "IDENTITY", c);
	if (c.good())
		c = ds->insertEmptyElement(DCM_AcquisitionContextSequence);
}

/* One code item (value, scheme, meaning) appended to sequence @seq of @it. */
void put_code(DcmItem *it, const DcmTagKey &seq, const char *value, const char *scheme,
	      const char *meaning, OFCondition &c)
{
	DcmItem *item = nullptr;
	if (c.good())
		c = it->findOrCreateSequenceItem(DcmTag(seq), item, -2);
	put(item, DCM_CodeValue, value, c);
	put(item, DCM_CodingSchemeDesignator, scheme, c);
	put(item, DCM_CodeMeaning, meaning, c);
}

/* The dental record: CDT D0394 as the procedure, the follow-up's acquisition date and
 * time, the teeth as coded anatomy. */
void put_record(DcmDataset *ds, const dsr_dicom_derived *d, const dsr_dicom_identity &id,
		bool io, OFCondition &c)
{
	put_code(ds, DCM_ProcedureCodeSequence, DSR_CDT_D0394, DSR_CDT_SCHEME,
		 DSR_CDT_D0394_MEANING, c);
	const dsr_dicom_identity *acq = d->n_sources >= 2 && d->sources[1].acquisition_date[0]
						? &d->sources[1] : &id;
	if (acq->acquisition_date[0]) {
		put(ds, DCM_AcquisitionDate, acq->acquisition_date, c);
		if (acq->acquisition_time[0])
			put(ds, DCM_AcquisitionTime, acq->acquisition_time, c);
	}
	if (!d->teeth || !d->teeth->n || c.bad())
		return;
	delete ds->remove(DCM_PrimaryAnatomicStructureSequence);
	for (unsigned i = 0; i < d->teeth->n; i++) {
		char code[16], meaning[64];
		const char *scheme;
		if (dsr_tooth_code(d->teeth->fdi[i], code, sizeof(code), &scheme, meaning,
				   sizeof(meaning)) == 0)
			put_code(ds, DCM_PrimaryAnatomicStructureSequence, code, scheme, meaning, c);
	}
	if (!io && !ds->tagExists(DCM_AnatomicRegionSequence))
		put_code(ds, DCM_AnatomicRegionSequence, "T-11170", "SRT",
			 "Maxilla and mandible", c);
}

/* Out of field as Overlay Plane 6000: one bit per pixel (set = no reference there),
 * packed from bit 0 of the first byte, as the Overlay Plane module defines it. Nothing
 * is added when every pixel is in field. */
void put_field_overlay(DcmDataset *ds, const dsr_image *im, const uint8_t *field,
		       OFCondition &c)
{
	size_t n = (size_t)im->width * im->height, out = 0;
	for (size_t i = 0; i < n; i++)
		out += !field[i];
	if (!out || c.bad())
		return;
	std::vector<Uint16> bits((n + 15) / 16, 0);
	for (size_t i = 0; i < n; i++)
		if (!field[i])
			bits[i / 16] |= (Uint16)(1u << (i % 16));
	c = ds->putAndInsertUint16(DCM_OverlayRows, (Uint16)im->height);
	if (c.good()) c = ds->putAndInsertUint16(DCM_OverlayColumns, (Uint16)im->width);
	put(ds, DCM_OverlayType, "R", c);
	if (c.good()) {
		const Sint16 origin[2] = { 1, 1 };
		c = ds->putAndInsertSint16Array(DCM_OverlayOrigin, origin, 2);
	}
	if (c.good()) c = ds->putAndInsertUint16(DCM_OverlayBitsAllocated, 1);
	if (c.good()) c = ds->putAndInsertUint16(DCM_OverlayBitPosition, 0);
	put(ds, DCM_OverlayDescription, "out of field: no reference image there, not compared", c);
	put(ds, DCM_OverlayLabel, "OUT OF FIELD", c);
	if (c.good())
		c = ds->putAndInsertUint16Array(DCM_OverlayData, bits.data(),
						(unsigned long)bits.size());
}

/* Build the whole derived-image dataset for @im in @ds. */
OFCondition build_derived(DcmDataset *ds, const dsr_image *im, const dsr_dicom_derived *d,
			  const dsr_dicom_identity &id, DcmDataset *io, char *sop_uid)
{
	OFCondition c;
	char series_uid[DSR_DICOM_UID_LEN], da[DSR_DICOM_DA_LEN], tm[DSR_DICOM_TM_LEN], buf[64];
	now_da_tm(da, tm);
	dsr_dicom_new_uid(sop_uid);
	if (d->series_instance_uid && d->series_instance_uid[0])
		snprintf(series_uid, sizeof(series_uid), "%s", d->series_instance_uid);
	else
		dsr_dicom_new_uid(series_uid);

	/* SOP Common */
	put(ds, DCM_SOPClassUID, io ? UID_DigitalIntraOralXRayImageStorageForPresentation
				    : UID_SecondaryCaptureImageStorage, c);
	put(ds, DCM_SOPInstanceUID, sop_uid, c);
	put(ds, DCM_InstanceCreationDate, da, c);
	put(ds, DCM_InstanceCreationTime, tm, c);
	const char *extra[] = { d->derivation, d->comments, d->series_description, nullptr };
	put_identity(ds, id, extra, c);
	/* General Series */
	put(ds, DCM_Modality, io ? "IO" : id.modality[0] ? id.modality : "OT", c);
	put(ds, DCM_SeriesInstanceUID, series_uid, c);
	if (!io)
		put(ds, DCM_Laterality, "", c);	/* type 2C: teeth are not a paired structure */
	snprintf(buf, sizeof(buf), "%d", d->series_number ? d->series_number : 900);
	put(ds, DCM_SeriesNumber, buf, c);
	put(ds, DCM_SeriesDescription,
	    d->series_description ? d->series_description : "DSR subtraction", c);
	put(ds, DCM_SeriesDate, da, c);
	put(ds, DCM_SeriesTime, tm, c);
	/* General Equipment, SC Equipment */
	put(ds, DCM_Manufacturer, "DSR appliance project", c);
	put(ds, DCM_SoftwareVersions, "dsr 1.0", c);
	if (!io)
		put(ds, DCM_ConversionType, "WSD", c);
	/* General Image, SC Image */
	snprintf(buf, sizeof(buf), "%d", d->instance_number ? d->instance_number : 1);
	put(ds, DCM_InstanceNumber, buf, c);
	if (!io)
		put(ds, DCM_PatientOrientation, "", c);
	put(ds, DCM_ContentDate, da, c);
	put(ds, DCM_ContentTime, tm, c);
	put(ds, DCM_ImageType, "DERIVED\\SECONDARY", c);
	put(ds, DCM_DerivationDescription,
	    d->derivation ? d->derivation : "digital subtraction radiography", c);
	if (d->comments && d->comments[0])
		put(ds, DCM_ImageComments, d->comments, c);
	put(ds, DCM_BurnedInAnnotation, "NO", c);
	put(ds, DCM_LossyImageCompression, "00", c);
	if (io) {
		put_io_modules(ds, io, c);
	} else {
		put(ds, DCM_DateOfSecondaryCapture, da, c);
		put(ds, DCM_TimeOfSecondaryCapture, tm, c);
	}
	put_record(ds, d, id, io != nullptr, c);
	for (size_t i = 0; i < d->n_sources; i++) {
		const dsr_dicom_identity &s = d->sources[i];
		if (!s.sop_class_uid[0] || !s.sop_instance_uid[0])
			continue;
		put_reference(ds, DCM_SourceImageSequence, s, true, c);
		put_reference(ds, DCM_ReferencedImageSequence, s, false, c);
	}
	/* VOI LUT: a window on the changes */
	double wc, ww;
	window_for(im, d->midgrey, &wc, &ww);
	snprintf(buf, sizeof(buf), "%.0f", wc);
	put(ds, DCM_WindowCenter, buf, c);
	snprintf(buf, sizeof(buf), "%.0f", ww);
	put(ds, DCM_WindowWidth, buf, c);
	/* Image Pixel */
	if (c.good()) c = ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
	put(ds, DCM_PhotometricInterpretation, "MONOCHROME2", c);
	if (c.good()) c = ds->putAndInsertUint16(DCM_Rows, (Uint16)im->height);
	if (c.good()) c = ds->putAndInsertUint16(DCM_Columns, (Uint16)im->width);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsAllocated, 16);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsStored, (Uint16)im->bits);
	if (c.good()) c = ds->putAndInsertUint16(DCM_HighBit, (Uint16)(im->bits - 1));
	if (c.good()) c = ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
	if (c.good())
		c = ds->putAndInsertUint16Array(DCM_PixelData, im->pixels,
						(unsigned long)im->width * im->height);
	if (d->field)
		put_field_overlay(ds, im, d->field, c);
	return c;
}

} /* namespace */

extern "C" {

int dsr_dicom_probe_bytes(const void *buf, size_t len)
{
	return len >= kPreamble + 4 && !memcmp((const char *)buf + kPreamble, "DICM", 4);
}

int dsr_dicom_probe(const char *path)
{
	unsigned char head[kPreamble + 4];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return dsr_dicom_probe_bytes(head, n);
}

struct dsr_image *dsr_dicom_load(const char *path)
{
	return dsr_dicom_load_frame(path, -1);
}

struct dsr_image *dsr_dicom_load_frame(const char *path, long frame)
{
	try {
		DcmFileFormat ff;
		pixel_layout l{};
		const Uint8 *p8 = nullptr;
		const Uint16 *p16 = nullptr;
		std::vector<Uint16> j2k;
		if (open_file(path, ff) < 0)
			return nullptr;
		DcmDataset *ds = ff.getDataset();
		if (read_layout(path, ds, l) < 0 ||
		    frame_pixels(path, ds, l, frame, j2k, p8, p16) < 0)
			return nullptr;
		dsr_image *im = dsr_image_new(l.cols, l.rows, 16);
		if (!im)
			return nullptr;
		convert_pixels(l, p8, p16, im);
		return im;
	} catch (const std::bad_alloc &) {
		dsr_seterr("%s: out of memory reading DICOM", path);
	} catch (...) {
		dsr_seterr("%s: DICOM reader failed", path);
	}
	return nullptr;
}

int dsr_dicom_read_identity(const char *path, struct dsr_dicom_identity *id)
{
	try {
		DcmFileFormat ff;
		memset(id, 0, sizeof(*id));
		quiet_dcmtk();
		if (!dsr_dicom_probe(path))
			return dsr_seterr("%s: not a DICOM Part 10 file (no \"DICM\" at byte 128)", path);
		OFCondition c = ff.loadFileUntilTag(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
						    ERM_fileOnly, DCM_PixelData);
		if (c.bad())
			return dsr_seterr("%s: cannot read DICOM: %s", path, c.text());
		DcmDataset *ds = ff.getDataset();
		get_str(ds, DCM_PatientName, id->patient_name, sizeof(id->patient_name));
		get_str(ds, DCM_PatientID, id->patient_id, sizeof(id->patient_id));
		get_str(ds, DCM_PatientBirthDate, id->patient_birth_date, sizeof(id->patient_birth_date));
		get_str(ds, DCM_PatientSex, id->patient_sex, sizeof(id->patient_sex));
		get_str(ds, DCM_StudyInstanceUID, id->study_instance_uid, sizeof(id->study_instance_uid));
		get_str(ds, DCM_StudyID, id->study_id, sizeof(id->study_id));
		get_str(ds, DCM_StudyDate, id->study_date, sizeof(id->study_date));
		get_str(ds, DCM_StudyTime, id->study_time, sizeof(id->study_time));
		get_str(ds, DCM_StudyDescription, id->study_description, sizeof(id->study_description));
		get_str(ds, DCM_AccessionNumber, id->accession_number, sizeof(id->accession_number));
		get_str(ds, DCM_ReferringPhysicianName, id->referring_physician,
			sizeof(id->referring_physician));
		get_str(ds, DCM_Modality, id->modality, sizeof(id->modality));
		get_str(ds, DCM_SOPClassUID, id->sop_class_uid, sizeof(id->sop_class_uid));
		get_str(ds, DCM_SOPInstanceUID, id->sop_instance_uid, sizeof(id->sop_instance_uid));
		get_str(ds, DCM_SpecificCharacterSet, id->specific_character_set,
			sizeof(id->specific_character_set));
		read_acquisition(ds, id);
		return 0;
	} catch (...) {
		return dsr_seterr("%s: DICOM reader failed", path);
	}
}

int dsr_dicom_read_teeth(const char *path, struct dsr_teeth *t)
{
	try {
		DcmFileFormat ff;
		memset(t, 0, sizeof(*t));
		quiet_dcmtk();
		if (!dsr_dicom_probe(path))
			return dsr_seterr("%s: not a DICOM Part 10 file", path);
		if (ff.loadFileUntilTag(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
					ERM_fileOnly, DCM_PixelData).bad())
			return dsr_seterr("%s: cannot read DICOM", path);
		DcmDataset *ds = ff.getDataset();
		DcmItem *item = nullptr;
		for (signed long i = 0; t->n < DSR_TEETH_MAX &&
		     ds->findAndGetSequenceItem(DCM_PrimaryAnatomicStructureSequence, item, i).good();
		     i++) {
			char scheme[32], value[32];
			get_str(item, DCM_CodingSchemeDesignator, scheme, sizeof(scheme));
			get_str(item, DCM_CodeValue, value, sizeof(value));
			unsigned fdi = dsr_tooth_from_code(scheme, value);
			bool seen = false;
			for (unsigned k = 0; k < t->n; k++)
				seen = seen || t->fdi[k] == fdi;
			if (fdi && !seen)
				t->fdi[t->n++] = (uint8_t)fdi;
		}
		return 0;
	} catch (...) {
		return dsr_seterr("%s: DICOM reader failed", path);
	}
}

void dsr_dicom_new_uid(char *uid)
{
	char buf[100];
	dcmGenerateUniqueIdentifier(buf, SITE_INSTANCE_UID_ROOT);
	copy_str(uid, DSR_DICOM_UID_LEN, OFString(buf));
}

void dsr_dicom_identity_anonymous(struct dsr_dicom_identity *id)
{
	memset(id, 0, sizeof(*id));
	dsr_dicom_new_uid(id->study_instance_uid);
	now_da_tm(id->study_date, id->study_time);
}

int dsr_dicom_save_derived(const struct dsr_image *im, const struct dsr_dicom_derived *d,
			   const char *path, char *sop_instance_uid)
{
	if (!im || !im->pixels || im->width == 0 || im->height == 0 || im->width > 65535 ||
	    im->height > 65535 || im->bits < 8 || im->bits > 16)
		return dsr_seterr("%s: image cannot be written as DICOM (size or bit depth)", path);
	try {
		dsr_dicom_identity anon;
		const dsr_dicom_identity *id = d->identity;
		if (!id) {
			dsr_dicom_identity_anonymous(&anon);
			id = &anon;
		}
		if (!id->study_instance_uid[0])
			return dsr_seterr("%s: identity without a Study Instance UID", path);
		DcmFileFormat ff, io;
		char sop[DSR_DICOM_UID_LEN];
		quiet_dcmtk();
		DcmDataset *io_ds = load_io_source(d->io_source, io) ? io.getDataset() : nullptr;
		OFCondition c = build_derived(ff.getDataset(), im, d, *id, io_ds, sop);
		if (c.bad())
			return dsr_seterr("%s: building the DICOM dataset failed: %s", path, c.text());
		if (dsrdcm::save_file(ff, path) < 0)
			return -1;
		if (sop_instance_uid)
			snprintf(sop_instance_uid, DSR_DICOM_UID_LEN, "%s", sop);
		return 0;
	} catch (const std::bad_alloc &) {
		return dsr_seterr("%s: out of memory writing DICOM", path);
	} catch (...) {
		return dsr_seterr("%s: DICOM writer failed", path);
	}
}

} /* extern "C" */

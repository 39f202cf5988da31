/*
 * dcmgen.cc - DICOM test inputs with DCMTK (dcmgen.h).
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#include <cstdio>
#include <vector>

#include "dcmgen.h"

extern "C" int t_dicom_write_grey(const char *path, uint32_t w, uint32_t h,
				  unsigned bits_alloc, unsigned bits_stored, unsigned frames,
				  const uint16_t *px)
{
	DcmFileFormat ff;
	DcmDataset *ds = ff.getDataset();
	char uid[100];
	size_t n = (size_t)w * h * frames;
	OFCondition c;
	const char *sop = frames > 1 ? (bits_alloc == 8 ? UID_MultiframeGrayscaleByteSecondaryCaptureImageStorage
						       : UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage)
				     : UID_SecondaryCaptureImageStorage;
	c = ds->putAndInsertString(DCM_SOPClassUID, sop);
	if (c.good()) c = ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid));
	if (c.good()) c = ds->putAndInsertString(DCM_StudyInstanceUID, dcmGenerateUniqueIdentifier(uid));
	if (c.good()) c = ds->putAndInsertString(DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid));
	if (c.good()) c = ds->putAndInsertString(DCM_PatientID, "CODEC-TEST");
	if (c.good()) c = ds->putAndInsertString(DCM_PatientName, "Codec^Test");
	if (c.good()) c = ds->putAndInsertString(DCM_Modality, "OT");
	if (c.good()) c = ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
	if (c.good()) c = ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
	if (c.good()) c = ds->putAndInsertUint16(DCM_Rows, (Uint16)h);
	if (c.good()) c = ds->putAndInsertUint16(DCM_Columns, (Uint16)w);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsAllocated, (Uint16)bits_alloc);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsStored, (Uint16)bits_stored);
	if (c.good()) c = ds->putAndInsertUint16(DCM_HighBit, (Uint16)(bits_stored - 1));
	if (c.good()) c = ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
	if (c.good() && frames > 1) {
		char nf[16];
		snprintf(nf, sizeof(nf), "%u", frames);
		c = ds->putAndInsertString(DCM_NumberOfFrames, nf);
		if (c.good())
			c = ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime);
	}
	if (c.good() && bits_alloc == 8) {
		std::vector<Uint8> b(n);
		for (size_t i = 0; i < n; i++)
			b[i] = (Uint8)px[i];
		c = ds->putAndInsertUint8Array(DCM_PixelData, b.data(), (unsigned long)n);
	} else if (c.good()) {
		c = ds->putAndInsertUint16Array(DCM_PixelData, px, (unsigned long)n);
	}
	if (c.good())
		c = ff.saveFile(path, EXS_LittleEndianExplicit);
	return c.good() ? 0 : -1;
}

/* A whole file into @buf. */
static bool read_all(const char *path, std::vector<Uint8> &buf)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	Uint8 tmp[65536];
	size_t k;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf.insert(buf.end(), tmp, tmp + k);
	fclose(f);
	return !buf.empty();
}

extern "C" int t_dicom_encapsulate(const char *src, const char *const *codestreams, size_t n,
				   const char *xfer_uid, const char *out)
{
	DcmFileFormat ff;
	if (ff.loadFile(src).bad())
		return -1;
	DcmDataset *ds = ff.getDataset();
	E_TransferSyntax xfer = DcmXfer(xfer_uid).getXfer();
	if (xfer == EXS_Unknown)
		return -1;
	DcmPixelSequence *seq = new DcmPixelSequence(DCM_PixelSequenceTag);
	seq->insert(new DcmPixelItem(DCM_PixelItemTag));	/* empty basic offset table */
	DcmOffsetList offsets;
	for (size_t i = 0; i < n; i++) {
		std::vector<Uint8> buf;
		if (!read_all(codestreams[i], buf)) {
			delete seq;
			return -1;
		}
		if (buf.size() % 2)
			buf.push_back(0);
		if (seq->storeCompressedFrame(offsets, buf.data(), (Uint32)buf.size(), 0).bad()) {
			delete seq;
			return -1;
		}
	}
	DcmPixelData *pd = new DcmPixelData(DCM_PixelData);
	pd->putOriginalRepresentation(xfer, nullptr, seq);
	if (ds->insert(pd, OFTrue).bad())
		return -1;
	return ff.saveFile(out, xfer).good() ? 0 : -1;
}

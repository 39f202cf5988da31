/*
 * dicom_rgb.cc - the colour overlay as an RGB Secondary Capture image beside the DICOM
 * difference it accompanies. See dsr/dicom_color.h.
 *
 * The identity is not rebuilt here: the patient, study, character set, dental record
 * and source references are copied from the difference object, so that whatever the
 * difference carries the overlay carries too.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdio>
#include <cstring>
#include <new>

#include "dicom_priv.h"
#include "dsr/dicom_color.h"
#include "dsr/error.h"

namespace {

using dsrdcm::now_da_tm;
using dsrdcm::put;
using dsrdcm::put_source_purpose;

/* What the overlay takes over from the difference, when present. */
const DcmTagKey kCopied[] = {
	DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_IssuerOfPatientID,
	DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyInstanceUID, DCM_StudyID, DCM_StudyDate,
	DCM_StudyTime, DCM_StudyDescription, DCM_AccessionNumber, DCM_ReferringPhysicianName,
	DCM_ProcedureCodeSequence, DCM_AcquisitionDate, DCM_AcquisitionTime,
	DCM_AcquisitionDateTime, DCM_SourceImageSequence, DCM_ReferencedImageSequence,
	DCM_PatientComments, DCM_ImageComments,
};

void copy_from(DcmDataset *from, DcmDataset *to, OFCondition &c)
{
	for (const DcmTagKey &t : kCopied) {
		DcmElement *e = nullptr;
		if (c.bad() || from->findAndGetElement(t, e).bad() || !e)
			continue;
		DcmElement *dup = OFstatic_cast(DcmElement *, e->clone());
		c = to->insert(dup, true);
		if (c.bad())
			delete dup;
	}
}

/* The difference itself as one more source image of the overlay. */
void add_source(DcmDataset *from, DcmDataset *to, OFCondition &c)
{
	OFString cls, inst;
	if (c.bad() || from->findAndGetOFString(DCM_SOPClassUID, cls).bad() ||
	    from->findAndGetOFString(DCM_SOPInstanceUID, inst).bad())
		return;
	for (const DcmTagKey &seq : { DCM_SourceImageSequence, DCM_ReferencedImageSequence }) {
		DcmItem *item = nullptr;
		if (c.good())
			c = to->findOrCreateSequenceItem(DcmTag(seq), item, -2);
		put(item, DCM_ReferencedSOPClassUID, cls.c_str(), c);
		put(item, DCM_ReferencedSOPInstanceUID, inst.c_str(), c);
		if (seq == DCM_SourceImageSequence && c.good())
			put_source_purpose(item, c);
	}
}

OFCondition build(DcmDataset *ds, DcmDataset *like, const uint8_t *rgb, uint32_t w, uint32_t h,
		  const dsr_dicom_color *cc, char *sop)
{
	OFCondition c;
	char da[DSR_DICOM_DA_LEN], tm[DSR_DICOM_TM_LEN], series[DSR_DICOM_UID_LEN], buf[32];
	now_da_tm(da, tm);
	dsr_dicom_new_uid(sop);
	if (cc->series_instance_uid && cc->series_instance_uid[0])
		snprintf(series, sizeof(series), "%s", cc->series_instance_uid);
	else
		dsr_dicom_new_uid(series);
	copy_from(like, ds, c);
	add_source(like, ds, c);
	put(ds, DCM_SOPClassUID, UID_SecondaryCaptureImageStorage, c);
	put(ds, DCM_SOPInstanceUID, sop, c);
	put(ds, DCM_InstanceCreationDate, da, c);
	put(ds, DCM_InstanceCreationTime, tm, c);
	/* type 2 attributes of the Patient and Study modules, if the difference lacked them */
	for (const DcmTagKey &t : { DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate,
				    DCM_PatientSex, DCM_StudyID, DCM_StudyDate, DCM_StudyTime,
				    DCM_AccessionNumber, DCM_ReferringPhysicianName })
		if (c.good() && !ds->tagExists(t))
			c = ds->insertEmptyElement(t);
	put(ds, DCM_Modality, "OT", c);
	put(ds, DCM_SeriesInstanceUID, series, c);
	put(ds, DCM_Laterality, "", c);
	snprintf(buf, sizeof(buf), "%d", cc->series_number ? cc->series_number : 901);
	put(ds, DCM_SeriesNumber, buf, c);
	put(ds, DCM_SeriesDescription,
	    cc->series_description ? cc->series_description : "DSR change overlay", c);
	put(ds, DCM_Manufacturer, "DSR appliance project", c);
	put(ds, DCM_SoftwareVersions, "dsr 1.0", c);
	put(ds, DCM_ConversionType, "WSD", c);
	snprintf(buf, sizeof(buf), "%d", cc->instance_number ? cc->instance_number : 1);
	put(ds, DCM_InstanceNumber, buf, c);
	put(ds, DCM_PatientOrientation, "", c);
	put(ds, DCM_ContentDate, da, c);
	put(ds, DCM_ContentTime, tm, c);
	put(ds, DCM_ImageType, "DERIVED\\SECONDARY", c);
	put(ds, DCM_DerivationDescription, cc->derivation ? cc->derivation
		: "DSR change overlay: gain green, loss red, beyond k standard errors", c);
	/* the colours and the legend's meaning are drawn into the pixels */
	put(ds, DCM_BurnedInAnnotation, "NO", c);
	put(ds, DCM_LossyImageCompression, "00", c);
	put(ds, DCM_DateOfSecondaryCapture, da, c);
	put(ds, DCM_TimeOfSecondaryCapture, tm, c);
	if (c.good()) c = ds->putAndInsertUint16(DCM_SamplesPerPixel, 3);
	put(ds, DCM_PhotometricInterpretation, "RGB", c);
	if (c.good()) c = ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
	if (c.good()) c = ds->putAndInsertUint16(DCM_Rows, (Uint16)h);
	if (c.good()) c = ds->putAndInsertUint16(DCM_Columns, (Uint16)w);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsAllocated, 8);
	if (c.good()) c = ds->putAndInsertUint16(DCM_BitsStored, 8);
	if (c.good()) c = ds->putAndInsertUint16(DCM_HighBit, 7);
	if (c.good()) c = ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
	if (c.good())
		c = ds->putAndInsertUint8Array(DCM_PixelData, rgb, (unsigned long)w * h * 3);
	return c;
}

} /* namespace */

extern "C" int dsr_dicom_save_rgb(const uint8_t *rgb, uint32_t w, uint32_t h,
				  const struct dsr_dicom_color *cc, const char *path, char *sop_out)
{
	if (!rgb || w == 0 || h == 0 || w > 65535 || h > 65535 || !cc || !cc->like)
		return dsr_seterr("%s: colour image cannot be written as DICOM (size or source)", path);
	try {
		DcmFileFormat like, ff;
		char sop[DSR_DICOM_UID_LEN];
		dsr_dicom_ensure_dictionary();
		OFLog::configure(OFLogger::OFF_LOG_LEVEL);
		OFCondition c = like.loadFile(cc->like, EXS_Unknown, EGL_noChange, 4096);
		if (c.bad())
			return dsr_seterr("%s: cannot read the difference %s: %s", path, cc->like, c.text());
		c = build(ff.getDataset(), like.getDataset(), rgb, w, h, cc, sop);
		if (c.bad())
			return dsr_seterr("%s: building the DICOM colour dataset failed: %s", path, c.text());
		if (dsrdcm::save_file(ff, path) < 0)
			return -1;
		if (sop_out)
			snprintf(sop_out, DSR_DICOM_UID_LEN, "%s", sop);
		return 0;
	} catch (const std::bad_alloc &) {
		return dsr_seterr("%s: out of memory writing DICOM", path);
	} catch (...) {
		return dsr_seterr("%s: DICOM writer failed", path);
	}
}

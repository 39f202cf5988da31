/*
 * dict.cc - the built-in fallback of DCMTK's data dictionary: every attribute libdsr
 * reads or writes, with its VR and value multiplicity from PS3.6. See dicom_priv.h.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcdicent.h"

#include "dicom_priv.h"

namespace {

struct entry {
	Uint16 group, element;
	DcmEVR vr;
	const char *name;
	int vm_min, vm_max;
};

const entry kEntries[] = {
	{ 0x0002, 0x0000, EVR_UL, "FileMetaInformationGroupLength", 1, 1 },
	{ 0x0002, 0x0001, EVR_OB, "FileMetaInformationVersion", 1, 1 },
	{ 0x0002, 0x0002, EVR_UI, "MediaStorageSOPClassUID", 1, 1 },
	{ 0x0002, 0x0003, EVR_UI, "MediaStorageSOPInstanceUID", 1, 1 },
	{ 0x0002, 0x0010, EVR_UI, "TransferSyntaxUID", 1, 1 },
	{ 0x0002, 0x0012, EVR_UI, "ImplementationClassUID", 1, 1 },
	{ 0x0002, 0x0013, EVR_SH, "ImplementationVersionName", 1, 1 },
	{ 0x0002, 0x0016, EVR_AE, "SourceApplicationEntityTitle", 1, 1 },
	{ 0x0008, 0x0005, EVR_CS, "SpecificCharacterSet", 1, DcmVariableVM },
	{ 0x0008, 0x0008, EVR_CS, "ImageType", 2, DcmVariableVM },
	{ 0x0008, 0x0012, EVR_DA, "InstanceCreationDate", 1, 1 },
	{ 0x0008, 0x0013, EVR_TM, "InstanceCreationTime", 1, 1 },
	{ 0x0008, 0x0016, EVR_UI, "SOPClassUID", 1, 1 },
	{ 0x0008, 0x0018, EVR_UI, "SOPInstanceUID", 1, 1 },
	{ 0x0008, 0x0020, EVR_DA, "StudyDate", 1, 1 },
	{ 0x0008, 0x0021, EVR_DA, "SeriesDate", 1, 1 },
	{ 0x0008, 0x0022, EVR_DA, "AcquisitionDate", 1, 1 },
	{ 0x0008, 0x0023, EVR_DA, "ContentDate", 1, 1 },
	{ 0x0008, 0x0030, EVR_TM, "StudyTime", 1, 1 },
	{ 0x0008, 0x0031, EVR_TM, "SeriesTime", 1, 1 },
	{ 0x0008, 0x0032, EVR_TM, "AcquisitionTime", 1, 1 },
	{ 0x0008, 0x0033, EVR_TM, "ContentTime", 1, 1 },
	{ 0x0008, 0x002a, EVR_DT, "AcquisitionDateTime", 1, 1 },
	{ 0x0008, 0x0050, EVR_SH, "AccessionNumber", 1, 1 },
	{ 0x0008, 0x0060, EVR_CS, "Modality", 1, 1 },
	{ 0x0008, 0x0064, EVR_CS, "ConversionType", 1, 1 },
	{ 0x0008, 0x0068, EVR_CS, "PresentationIntentType", 1, 1 },
	{ 0x0008, 0x0070, EVR_LO, "Manufacturer", 1, 1 },
	{ 0x0008, 0x0090, EVR_PN, "ReferringPhysicianName", 1, 1 },
	{ 0x0008, 0x0100, EVR_SH, "CodeValue", 1, 1 },
	{ 0x0008, 0x0102, EVR_SH, "CodingSchemeDesignator", 1, 1 },
	{ 0x0008, 0x0104, EVR_LO, "CodeMeaning", 1, 1 },
	{ 0x0008, 0x1030, EVR_LO, "StudyDescription", 1, 1 },
	{ 0x0008, 0x1032, EVR_SQ, "ProcedureCodeSequence", 1, 1 },
	{ 0x0008, 0x103e, EVR_LO, "SeriesDescription", 1, 1 },
	{ 0x0008, 0x1140, EVR_SQ, "ReferencedImageSequence", 1, 1 },
	{ 0x0008, 0x1150, EVR_UI, "ReferencedSOPClassUID", 1, 1 },
	{ 0x0008, 0x1155, EVR_UI, "ReferencedSOPInstanceUID", 1, 1 },
	{ 0x0008, 0x2111, EVR_ST, "DerivationDescription", 1, 1 },
	{ 0x0008, 0x2112, EVR_SQ, "SourceImageSequence", 1, 1 },
	{ 0x0008, 0x2218, EVR_SQ, "AnatomicRegionSequence", 1, 1 },
	{ 0x0008, 0x2228, EVR_SQ, "PrimaryAnatomicStructureSequence", 1, 1 },
	{ 0x0010, 0x0010, EVR_PN, "PatientName", 1, 1 },
	{ 0x0010, 0x0020, EVR_LO, "PatientID", 1, 1 },
	{ 0x0010, 0x0030, EVR_DA, "PatientBirthDate", 1, 1 },
	{ 0x0010, 0x0040, EVR_CS, "PatientSex", 1, 1 },
	{ 0x0018, 0x1012, EVR_DA, "DateOfSecondaryCapture", 1, 1 },
	{ 0x0018, 0x1014, EVR_TM, "TimeOfSecondaryCapture", 1, 1 },
	{ 0x0018, 0x1020, EVR_LO, "SoftwareVersions", 1, DcmVariableVM },
	{ 0x0018, 0x1164, EVR_DS, "ImagerPixelSpacing", 2, 2 },
	{ 0x0018, 0x1508, EVR_CS, "PositionerType", 1, 1 },
	{ 0x0018, 0x7004, EVR_CS, "DetectorType", 1, 1 },
	{ 0x0020, 0x000d, EVR_UI, "StudyInstanceUID", 1, 1 },
	{ 0x0020, 0x000e, EVR_UI, "SeriesInstanceUID", 1, 1 },
	{ 0x0020, 0x0010, EVR_SH, "StudyID", 1, 1 },
	{ 0x0020, 0x0011, EVR_IS, "SeriesNumber", 1, 1 },
	{ 0x0020, 0x0013, EVR_IS, "InstanceNumber", 1, 1 },
	{ 0x0020, 0x0020, EVR_CS, "PatientOrientation", 2, 2 },
	{ 0x0020, 0x0060, EVR_CS, "Laterality", 1, 1 },
	{ 0x0020, 0x0062, EVR_CS, "ImageLaterality", 1, 1 },
	{ 0x0020, 0x4000, EVR_LT, "ImageComments", 1, 1 },
	{ 0x0028, 0x0002, EVR_US, "SamplesPerPixel", 1, 1 },
	{ 0x0028, 0x0004, EVR_CS, "PhotometricInterpretation", 1, 1 },
	{ 0x0028, 0x0008, EVR_IS, "NumberOfFrames", 1, 1 },
	{ 0x0028, 0x0010, EVR_US, "Rows", 1, 1 },
	{ 0x0028, 0x0011, EVR_US, "Columns", 1, 1 },
	{ 0x0028, 0x0100, EVR_US, "BitsAllocated", 1, 1 },
	{ 0x0028, 0x0101, EVR_US, "BitsStored", 1, 1 },
	{ 0x0028, 0x0102, EVR_US, "HighBit", 1, 1 },
	{ 0x0028, 0x0103, EVR_US, "PixelRepresentation", 1, 1 },
	{ 0x0028, 0x0301, EVR_CS, "BurnedInAnnotation", 1, 1 },
	{ 0x0028, 0x1040, EVR_CS, "PixelIntensityRelationship", 1, 1 },
	{ 0x0028, 0x1041, EVR_SS, "PixelIntensityRelationshipSign", 1, 1 },
	{ 0x0028, 0x1050, EVR_DS, "WindowCenter", 1, DcmVariableVM },
	{ 0x0028, 0x1051, EVR_DS, "WindowWidth", 1, DcmVariableVM },
	{ 0x0028, 0x1052, EVR_DS, "RescaleIntercept", 1, 1 },
	{ 0x0028, 0x1053, EVR_DS, "RescaleSlope", 1, 1 },
	{ 0x0028, 0x1054, EVR_LO, "RescaleType", 1, 1 },
	{ 0x0028, 0x2110, EVR_CS, "LossyImageCompression", 1, 1 },
	{ 0x0040, 0x0555, EVR_SQ, "AcquisitionContextSequence", 1, 1 },
	{ 0x0040, 0xa170, EVR_SQ, "PurposeOfReferenceCodeSequence", 1, 1 },
	{ 0x2050, 0x0020, EVR_CS, "PresentationLUTShape", 1, 1 },
	{ 0x6000, 0x0010, EVR_US, "OverlayRows", 1, 1 },
	{ 0x6000, 0x0011, EVR_US, "OverlayColumns", 1, 1 },
	{ 0x6000, 0x0022, EVR_LO, "OverlayDescription", 1, 1 },
	{ 0x6000, 0x0040, EVR_CS, "OverlayType", 1, 1 },
	{ 0x6000, 0x0050, EVR_SS, "OverlayOrigin", 2, 2 },
	{ 0x6000, 0x0100, EVR_US, "OverlayBitsAllocated", 1, 1 },
	{ 0x6000, 0x0102, EVR_US, "OverlayBitPosition", 1, 1 },
	{ 0x6000, 0x1500, EVR_LO, "OverlayLabel", 1, 1 },
	{ 0x6000, 0x3000, EVR_OW, "OverlayData", 1, 1 },
	{ 0x7fe0, 0x0010, EVR_ox, "PixelData", 1, 1 },
	{ 0xfffe, 0xe000, EVR_na, "Item", 1, 1 },
	{ 0xfffe, 0xe00d, EVR_na, "ItemDelimitationItem", 1, 1 },
	{ 0xfffe, 0xe0dd, EVR_na, "SequenceDelimitationItem", 1, 1 },
};

} /* namespace */

void dsr_dicom_ensure_dictionary(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	if (dcmDataDict.isDictionaryLoaded())
		return;
	DcmDataDictionary &dict = dcmDataDict.wrlock();
	for (const entry &e : kEntries)
		dict.addEntry(new DcmDictEntry(e.group, e.element, DcmVR(e.vr), e.name, e.vm_min,
					       e.vm_max, "DICOM", OFTrue, nullptr));
	dcmDataDict.wrunlock();
}

/*
 * dicom_priv.h - what dicom.cc, dicom_rgb.cc and dict.cc share inside lib/dicom.
 */
#ifndef DSR_DICOM_PRIV_H
#define DSR_DICOM_PRIV_H

/*
 * DCMTK as Debian builds it reads its data dictionary from a file at run time
 * (/usr/share/libdcmtk17/dicom.dic, or $DCMDICTPATH). On a machine without that file (a
 * minimal appliance image, the QEMU test machine) every attribute would be of unknown
 * VR: reading implicit-VR files and writing anything would fail. This adds the entries
 * libdsr reads and writes when no dictionary was loaded; with one loaded it does nothing.
 */
void dsr_dicom_ensure_dictionary(void);

class DcmFileFormat;
class DcmItem;
class DcmTagKey;
class OFCondition;

/* The writers' common pieces (dicom.cc defines them). */
namespace dsrdcm {

/* Put a string attribute unless @c already failed; NULL is written as empty. */
void put(DcmItem *it, const DcmTagKey &tag, const char *v, OFCondition &c);

/* Today's date (DA) and time (TM) in local time. */
void now_da_tm(char *da, char *tm);

/* The purpose code of a Source Image Sequence item: "source image for image processing". */
void put_source_purpose(DcmItem *item, OFCondition &c);

/* Save @ff to @path as explicit little endian through a temporary file renamed into
 * place, so that a reader never sees half a file. 0, or -1 with dsr_seterr(). */
int save_file(DcmFileFormat &ff, const char *path);

} /* namespace dsrdcm */

#endif /* DSR_DICOM_PRIV_H */

/*
 * dicom_priv.h - what dicom.cc and dict.cc share inside lib/dicom.
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

#endif /* DSR_DICOM_PRIV_H */

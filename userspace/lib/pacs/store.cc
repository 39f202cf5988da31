/*
 * store.cc - C-STORE of the tool's results, each file reported as stored only when the
 * PACS confirmed it. See pacs.h.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/scu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dsr/error.h"
#include "dsr/pacs.h"
#include "pacs_priv.h"

using namespace dsr_pacs;

namespace {

/* What a file says about itself: SOP class and instance, transfer syntax. */
struct object_info {
	OFString cls, inst;
	E_TransferSyntax xfer = EXS_Unknown;
};

int inspect(const char *path, object_info &o, dsr_pacs_stored &r)
{
	DcmFileFormat ff;
	/* attributes only: pixel data and other long values stay on disk */
	OFCondition c = ff.loadFile(path, EXS_Unknown, EGL_noChange, 256);
	if (c.bad()) {
		snprintf(r.message, sizeof(r.message), "not a readable DICOM file: %s", c.text());
		return -1;
	}
	ff.getDataset()->findAndGetOFString(DCM_SOPClassUID, o.cls);
	ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, o.inst);
	o.xfer = ff.getDataset()->getOriginalXfer();
	if (o.cls.empty() || o.inst.empty() || o.inst.size() >= DSR_DICOM_UID_LEN) {
		snprintf(r.message, sizeof(r.message), "no SOP Class or Instance UID");
		return -1;
	}
	snprintf(r.sop_uid, sizeof(r.sop_uid), "%s", o.inst.c_str());
	return 0;
}

/* One context per SOP class: the files' own syntaxes first, then the uncompressed ones. */
void add_contexts(DcmSCU &scu, const std::vector<object_info> &objs, const std::vector<bool> &ok)
{
	std::set<std::string> classes;
	for (size_t i = 0; i < objs.size(); i++)
		if (ok[i])
			classes.insert(objs[i].cls.c_str());
	for (const std::string &cls : classes) {
		OFList<OFString> ts;
		std::set<std::string> seen;
		for (size_t i = 0; i < objs.size(); i++) {
			if (!ok[i] || cls != objs[i].cls.c_str())
				continue;
			const char *uid = DcmXfer(objs[i].xfer).getXferID();
			if (uid && *uid && seen.insert(uid).second)
				ts.push_back(uid);
		}
		for (const char *uid : { UID_LittleEndianExplicitTransferSyntax,
					 UID_LittleEndianImplicitTransferSyntax })
			if (seen.insert(uid).second)
				ts.push_back(uid);
		scu.addPresentationContext(cls.c_str(), ts);
	}
}

/* Send one file; 1 stored, 0 refused, -1 the association is gone. */
int store_one(DcmSCU &scu, const dsr_pacs_config *c, const char *path, const object_info &o,
	      dsr_pacs_stored &r)
{
	T_ASC_PresentationContextID pc =
		scu.findPresentationContextID(o.cls, DcmXfer(o.xfer).getXferID());
	if (pc == 0)
		pc = scu.findAnyPresentationContextID(o.cls, "");
	if (pc == 0) {
		snprintf(r.message, sizeof(r.message), "the PACS accepts no %s objects",
			 dcmFindNameOfUID(o.cls.c_str(), o.cls.c_str()));
		return 0;
	}
	Uint16 status = 0xffff;
	OFCondition cond = scu.sendSTORERequest(pc, path, nullptr, status);
	if (cond.bad()) {
		lost(c, "C-STORE", cond);
		snprintf(r.message, sizeof(r.message), "not confirmed: %s", dsr_error());
		return -1;
	}
	r.status = status;
	if (status == STATUS_Success)
		return r.stored = 1;
	if (status == 0xb000 || status == 0xb006 || status == 0xb007) {
		snprintf(r.message, sizeof(r.message), "stored with a warning: %s",
			 status_text(status).c_str());
		return r.stored = 1;
	}
	snprintf(r.message, sizeof(r.message), "refused by the PACS: status %s",
		 status_text(status).c_str());
	return 0;
}

} /* namespace */

/* The Patient ID a file says it belongs to ("" if none). */
static std::string patient_of(const char *path)
{
	DcmFileFormat ff;
	OFString id;
	if (ff.loadFile(path, EXS_Unknown, EGL_noChange, 256).good())
		ff.getDataset()->findAndGetOFString(DCM_PatientID, id);
	return id.c_str();
}

extern "C" int dsr_pacs_verify(const struct dsr_pacs_config *c, struct dsr_pacs_stored *res,
			       size_t n)
{
	int kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!res[i].stored)
			continue;
		std::string pid = patient_of(res[i].path);
		dsr_pacs_query q = {};
		q.patient_id = pid.c_str();
		q.sop_uid = res[i].sop_uid;
		q.include_derived = 1;
		dsr_pacs_match *m = nullptr;
		size_t found = 0;
		if (dsr_pacs_find(c, &q, &m, &found, nullptr) < 0)
			return -1;
		free(m);
		if (found == 1) {
			kept++;
			continue;
		}
		res[i].stored = 0;
		snprintf(res[i].message, sizeof(res[i].message),
			 "the PACS acknowledged it (status %s) but does not hold it (C-FIND finds %zu)",
			 status_text((Uint16)res[i].status).c_str(), found);
	}
	return kept;
}

extern "C" int dsr_pacs_store(const struct dsr_pacs_config *c, const char *const *paths,
			      size_t n, struct dsr_pacs_stored *res)
{
	try {
		std::vector<object_info> objs(n);
		std::vector<bool> ok(n);
		size_t readable = 0;
		for (size_t i = 0; i < n; i++) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].path = paths[i];
			res[i].status = 0xffffffffu;
			ok[i] = inspect(paths[i], objs[i], res[i]) == 0;
			readable += ok[i];
		}
		if (readable == 0)
			return dsr_seterr("nothing to store: %s", n ? res[0].message : "no files");
		DcmSCU scu;
		configure(scu, c);
		scu.setDatasetConversionMode(OFTrue);
		add_contexts(scu, objs, ok);
		if (open_association(scu, c) < 0) {
			for (size_t i = 0; i < n; i++)
				if (ok[i])
					snprintf(res[i].message, sizeof(res[i].message), "not sent: %s",
						 dsr_error());
			return -1;
		}
		int stored = 0;
		bool gone = false;
		for (size_t i = 0; i < n; i++) {
			if (!ok[i])
				continue;
			if (gone) {
				snprintf(res[i].message, sizeof(res[i].message),
					 "not sent: the association was lost before it");
				continue;
			}
			int r = store_one(scu, c, paths[i], objs[i], res[i]);
			if (r < 0)
				gone = true;
			else
				stored += r;
		}
		if (gone)
			scu.abortAssociation();
		else
			close_association(scu);
		return stored;
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS: out of memory");
	}
}

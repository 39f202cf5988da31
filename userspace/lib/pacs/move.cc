/*
 * move.cc - C-MOVE for PACSs that do not offer C-GET: a storage SCP listens on
 * c->move_port under our AE title for the time of the retrieval, the PACS is asked to
 * move the instance to that AE (it must know our AE title, host and port), and the one
 * instance asked for is written like a C-GET's. See pacs.h.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmnet/scu.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include "dsr/error.h"
#include "dsr/pacs.h"
#include "pacs_priv.h"

using namespace dsr_pacs;

namespace {

/* Receives the moved instance; stops when told to or after its first association. */
class Receiver : public DcmSCP {
public:
	std::string want_sop, tmp, problem;
	std::atomic<bool> got{ false }, stop{ false };

	OFCondition handleIncomingCommand(T_DIMSE_Message *msg,
					  const DcmPresentationContextInfo &info) override
	{
		if (msg->CommandField != DIMSE_C_STORE_RQ)
			return DcmSCP::handleIncomingCommand(msg, info);
		T_DIMSE_C_StoreRQ &rq = msg->msg.CStoreRQ;
		DcmDataset *raw = nullptr;
		OFCondition c = receiveSTORERequest(rq, info.presentationContextID, raw);
		std::unique_ptr<DcmDataset> ds(raw);
		if (c.bad())
			return c;
		return sendSTOREResponse(info.presentationContextID, rq, keep(ds.get()));
	}

	OFBool stopAfterConnectionTimeout() override { return stop.load(); }
	OFBool stopAfterCurrentAssociation() override { return got.load() || stop.load(); }

private:
	Uint16 keep(DcmDataset *ds)
	{
		OFString sop;
		if (!ds || ds->findAndGetOFString(DCM_SOPInstanceUID, sop).bad() ||
		    sop != want_sop.c_str() || got.load()) {
			problem = "the PACS moved an instance that was not asked for";
			return STATUS_STORE_Error_CannotUnderstand;
		}
		E_TransferSyntax xfer = ds->getOriginalXfer();
		DcmFileFormat ff(ds);
		OFCondition c = ff.saveFile(tmp.c_str(), xfer == EXS_Unknown ? EXS_LittleEndianExplicit : xfer);
		if (c.bad()) {
			problem = std::string("cannot write the retrieved image: ") + c.text();
			unlink(tmp.c_str());
			return STATUS_STORE_Refused_OutOfResources;
		}
		got = true;
		return STATUS_STORE_Success;
	}
};

void setup_receiver(Receiver &r, const dsr_pacs_config *c, const dsr_pacs_match *m)
{
	OFList<OFString> ts;
	for (const char *t : { UID_LittleEndianExplicitTransferSyntax,
			       UID_LittleEndianImplicitTransferSyntax,
			       UID_JPEGProcess1TransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
			       UID_JPEGLSLosslessTransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax,
			       UID_JPEG2000TransferSyntax, UID_RLELosslessTransferSyntax })
		ts.push_back(t);
	r.setPort((Uint16)c->move_port);
	r.setAETitle(c->calling_ae);
	r.setConnectionBlockingMode(DUL_NOBLOCK);
	r.setConnectionTimeout(1);
	r.setACSETimeout(c->timeout);
	r.setDIMSETimeout(c->timeout);
	r.setHostLookupEnabled(OFFalse);
	r.setEnableVerification();
	if (m->sop_class_uid[0]) {
		r.addPresentationContext(m->sop_class_uid, ts);
		return;
	}
	for (const char *cls : { UID_DigitalIntraOralXRayImageStorageForPresentation,
				 UID_DigitalIntraOralXRayImageStorageForProcessing,
				 UID_DigitalXRayImageStorageForPresentation,
				 UID_DigitalXRayImageStorageForProcessing,
				 UID_ComputedRadiographyImageStorage, UID_SecondaryCaptureImageStorage })
		r.addPresentationContext(cls, ts);
}

/* The C-MOVE request itself; the final status into @status. */
int send_move(const dsr_pacs_config *c, const dsr_pacs_match *m, Uint16 &status)
{
	DcmSCU scu;
	OFList<OFString> ts;
	ts.push_back(UID_LittleEndianExplicitTransferSyntax);
	ts.push_back(UID_LittleEndianImplicitTransferSyntax);
	configure(scu, c);
	scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, ts);
	if (open_association(scu, c) < 0)
		return -1;
	T_ASC_PresentationContextID pc =
		scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
	if (pc == 0) {
		close_association(scu);
		return dsr_seterr("the PACS %s does not offer C-MOVE (Study Root)", where(c).c_str());
	}
	DcmDataset keys;
	keys.putAndInsertString(DCM_QueryRetrieveLevel, "IMAGE");
	keys.putAndInsertString(DCM_StudyInstanceUID, m->study_uid);
	keys.putAndInsertString(DCM_SeriesInstanceUID, m->series_uid);
	keys.putAndInsertString(DCM_SOPInstanceUID, m->sop_uid);
	OFList<RetrieveResponse *> rsp;
	OFCondition cond = scu.sendMOVERequest(pc, c->calling_ae, &keys, &rsp);
	status = rsp.empty() ? 0xffff : rsp.back()->m_status;
	for (auto it = rsp.begin(); it != rsp.end(); ++it)
		delete *it;
	if (cond.bad()) {
		int rc = lost(c, "C-MOVE", cond);
		scu.abortAssociation();
		return rc;
	}
	close_association(scu);
	return 0;
}

} /* namespace */

extern "C" int dsr_pacs_retrieve_move(const struct dsr_pacs_config *c,
				      const struct dsr_pacs_match *m, const char *path)
{
	Receiver r;
	quiet();
	r.want_sop = m->sop_uid;
	r.tmp = std::string(path) + ".part" + std::to_string((long)getpid());
	setup_receiver(r, c, m);
	OFCondition cond = r.openListenPort();
	if (cond.bad())
		return dsr_seterr("C-MOVE: cannot listen on port %u for the moved image: %s",
				  c->move_port, cond.text());
	std::thread t([&r] { r.acceptAssociations(); });
	Uint16 status = 0xffff;
	int rc = send_move(c, m, status);
	r.stop = true;
	t.join();
	if (rc < 0) {
		unlink(r.tmp.c_str());
		return -1;
	}
	if (!r.got.load()) {
		unlink(r.tmp.c_str());
		if (!r.problem.empty())
			return dsr_seterr("C-MOVE of %s: %s", m->sop_uid, r.problem.c_str());
		return dsr_seterr("the PACS %s moved nothing for %s to '%s' on port %u (status %s): "
				  "does it know our AE title, host and port?", where(c).c_str(),
				  m->sop_uid, c->calling_ae, c->move_port, status_text(status).c_str());
	}
	if (status != STATUS_Success && (status & 0xf000) != 0xb000 && status != 0xffff) {
		unlink(r.tmp.c_str());
		return dsr_seterr("C-MOVE of %s failed: status %s", m->sop_uid, status_text(status).c_str());
	}
	if (rename(r.tmp.c_str(), path) != 0) {
		int e = errno;
		unlink(r.tmp.c_str());
		return dsr_seterr("%s: cannot move the retrieved image into place: %s", path, strerror(e));
	}
	return 0;
}

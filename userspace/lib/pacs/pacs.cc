/*
 * pacs.cc - C-ECHO, C-FIND, C-GET / C-MOVE and C-STORE through DCMTK's DcmSCU. See pacs.h.
 *
 * DcmSCU does the protocol; this file chooses the presentation contexts, turns DCMTK's
 * conditions and DIMSE statuses into messages a user can act on, and makes sure a
 * retrieved file appears only whole and a store is reported only when confirmed.
 */
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/oflog/oflog.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "dicom/dicom_priv.h"
#include "dsr/error.h"
#include "dsr/pacs.h"
#include "pacs_priv.h"

namespace dsr_pacs {

void quiet()
{
	const char *dbg = getenv("DSR_PACS_DEBUG");
	OFLog::configure(dbg && *dbg ? OFLogger::DEBUG_LOG_LEVEL : OFLogger::OFF_LOG_LEVEL);
}

std::string where(const dsr_pacs_config *c)
{
	return std::string("'") + c->called_ae + "' at " + c->host + ":" + std::to_string(c->port);
}

/* Why the PACS rejected an association: a second, minimal association attempt that
 * reads the A-ASSOCIATE-RJ parameters DcmSCU does not hand out. */
std::string reject_reason(const dsr_pacs_config *c)
{
	T_ASC_Network *net = nullptr;
	T_ASC_Parameters *params = nullptr;
	T_ASC_Association *assoc = nullptr;
	std::string why = "no reason given";
	if (ASC_initializeNetwork(NET_REQUESTOR, 0, (int)c->timeout, &net).bad())
		return why;
	if (ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU).good()) {
		char peer[DSR_PACS_HOST_LEN + 8];
		const char *ts[] = { UID_LittleEndianImplicitTransferSyntax };
		snprintf(peer, sizeof(peer), "%s:%u", c->host, c->port);
		ASC_setAPTitles(params, c->calling_ae, c->called_ae, nullptr);
		ASC_setPresentationAddresses(params, "localhost", peer);
		ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, ts, 1);
		OFCondition cond = ASC_requestAssociation(net, params, &assoc, nullptr, nullptr,
							  DUL_BLOCK, (int)c->timeout);
		if (cond == DUL_ASSOCIATIONREJECTED) {
			T_ASC_RejectParameters rej;
			ASC_getRejectParameters(params, &rej);
			switch (rej.reason) {
			case ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED:
				why = std::string("the called AE title '") + c->called_ae +
				      "' is not the PACS's (check called_ae)";
				break;
			case ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED:
				why = std::string("our AE title '") + c->calling_ae +
				      "' is unknown to the PACS (register it there, or check calling_ae)";
				break;
			case ASC_REASON_SU_APPCONTEXTNAMENOTSUPPORTED:
				why = "application context not supported";
				break;
			case ASC_REASON_SP_PRES_TEMPORARYCONGESTION:
			case ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED:
				why = "the PACS is busy (temporary congestion or too many associations)";
				break;
			default:
				why = rej.result == ASC_RESULT_REJECTEDTRANSIENT ? "rejected for now (transient)"
									       : "rejected permanently, no reason given";
			}
		} else if (cond.good()) {
			why = "it accepted a test association, so it refused what was asked for";
			ASC_releaseAssociation(assoc);
		}
		if (assoc)
			ASC_destroyAssociation(&assoc);
		else
			ASC_destroyAssociationParameters(&params);
	}
	ASC_dropNetwork(&net);
	return why;
}

/* A failed association, in words. */
int association_error(const dsr_pacs_config *c, const OFCondition &cond)
{
	std::string text = cond.text();
	if (cond == DUL_ASSOCIATIONREJECTED || text.find("Rejected") != std::string::npos)
		return dsr_seterr("the PACS %s rejected the association: %s", where(c).c_str(),
				  reject_reason(c).c_str());
	if (text.find("refused") != std::string::npos)
		return dsr_seterr("the PACS %s is not reachable: connection refused (is it running, "
				  "host and port right?)", where(c).c_str());
	if (text.find("imeout") != std::string::npos || text.find("timed out") != std::string::npos)
		return dsr_seterr("the PACS %s did not answer within %u s (timeout)", where(c).c_str(),
				  c->timeout);
	if (cond == NET_EC_NoAcceptablePresentationContexts)
		return dsr_seterr("the PACS %s accepted none of the services asked for",
				  where(c).c_str());
	return dsr_seterr("cannot talk to the PACS %s: %s", where(c).c_str(), text.c_str());
}

/* A DcmSCU set up from @c, for the derived classes and plain use. */
void configure(DcmSCU &scu, const dsr_pacs_config *c)
{
	quiet();
	dsr_dicom_ensure_dictionary();
	scu.setAETitle(c->calling_ae);
	scu.setPeerAETitle(c->called_ae);
	scu.setPeerHostName(c->host);
	scu.setPeerPort((Uint16)c->port);
	scu.setConnectionTimeout((Sint32)c->timeout);
	scu.setACSETimeout(c->timeout);
	scu.setDIMSETimeout(c->timeout);
	scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
	scu.setMaxReceivePDULength(ASC_DEFAULTMAXPDU);
}

int open_association(DcmSCU &scu, const dsr_pacs_config *c)
{
	OFCondition cond = scu.initNetwork();
	if (cond.bad())
		return dsr_seterr("cannot initialise DICOM networking: %s", cond.text());
	cond = scu.negotiateAssociation();
	if (cond.bad())
		return association_error(c, cond);
	return 0;
}

void close_association(DcmSCU &scu)
{
	if (scu.isConnected())
		scu.releaseAssociation();
}

/* A lost association in the middle of an operation. */
int lost(const dsr_pacs_config *c, const char *during, const OFCondition &cond)
{
	std::string text = cond.text();
	if (text.find("imeout") != std::string::npos)
		return dsr_seterr("the PACS %s stopped answering during %s (timeout after %u s)",
				  where(c).c_str(), during, c->timeout);
	if (text.find("aborted") != std::string::npos)
		return dsr_seterr("the PACS %s aborted the association on our %s: is our AE title '%s' "
				  "known to it and allowed this service?", where(c).c_str(), during,
				  c->calling_ae);
	return dsr_seterr("the PACS %s: %s failed: %s", where(c).c_str(), during, text.c_str());
}

/* What a DIMSE status means, for messages. */
std::string status_text(Uint16 s)
{
	char hex[16];
	snprintf(hex, sizeof(hex), "0x%04x", s);
	std::string m = hex;
	if ((s & 0xff00) == 0xa700)
		return m + " (refused: out of resources)";
	if ((s & 0xff00) == 0xa900)
		return m + " (error: data set does not match SOP class)";
	if ((s & 0xf000) == 0xc000)
		return m + " (failed: cannot understand / unable to process)";
	if (s == 0x0122)
		return m + " (refused: SOP class not supported)";
	if (s == 0x0124)
		return m + " (refused: not authorised)";
	if (s == 0xa801)
		return m + " (refused: move destination unknown)";
	if (s == 0xfe00)
		return m + " (cancelled)";
	if (s == 0xb000 || s == 0xb006 || s == 0xb007)
		return m + " (warning: stored with changes)";
	return m;
}

} /* namespace dsr_pacs */

using namespace dsr_pacs;

namespace {

/* Storage SOP classes an intraoral prior may have, when the C-FIND did not say. */
const char *const kImageClasses[] = {
	UID_DigitalIntraOralXRayImageStorageForPresentation,
	UID_DigitalIntraOralXRayImageStorageForProcessing,
	UID_DigitalXRayImageStorageForPresentation,
	UID_DigitalXRayImageStorageForProcessing,
	UID_ComputedRadiographyImageStorage,
	UID_SecondaryCaptureImageStorage,
};

/* What we accept a retrieved image in: uncompressed, and what archives hold. */
OFList<OFString> retrieve_syntaxes()
{
	OFList<OFString> ts;
	for (const char *t : { UID_LittleEndianExplicitTransferSyntax,
			       UID_LittleEndianImplicitTransferSyntax,
			       UID_BigEndianExplicitTransferSyntax,
			       UID_JPEGProcess1TransferSyntax, UID_JPEGProcess2_4TransferSyntax,
			       UID_JPEGProcess14SV1TransferSyntax, UID_JPEGProcess14TransferSyntax,
			       UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax,
			       UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
			       UID_RLELosslessTransferSyntax })
		ts.push_back(t);
	return ts;
}

OFList<OFString> plain_syntaxes()
{
	OFList<OFString> ts;
	ts.push_back(UID_LittleEndianExplicitTransferSyntax);
	ts.push_back(UID_LittleEndianImplicitTransferSyntax);
	return ts;
}

int check_query(const dsr_pacs_query *q)
{
	if (!q->patient_id || !*q->patient_id)
		return dsr_seterr("a PACS query needs the Patient ID");
	if (strlen(q->patient_id) > 64 || strpbrk(q->patient_id, "*?\\"))
		return dsr_seterr("Patient ID '%s': at most 64 characters, no wildcards or '\\'",
				  q->patient_id);
	for (const char *p = q->patient_id; *p; p++)
		if ((unsigned char)*p < 0x20)
			return dsr_seterr("Patient ID: control characters are not allowed");
	if (q->modalities)
		for (const char *p = q->modalities; *p; p++)
			if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '\\' &&
			    *p != '_')
				return dsr_seterr("modalities '%s': expected e.g. IO\\DX", q->modalities);
	for (const char *d : { q->date_from, q->date_to })
		if (d && *d && !dsr_pacs_valid_da(d))
			return dsr_seterr("date '%s': expected a real date YYYYMMDD", d);
	if (q->date_from && q->date_to && *q->date_from && *q->date_to &&
	    strcmp(q->date_from, q->date_to) > 0)
		return dsr_seterr("date range %s-%s ends before it starts", q->date_from, q->date_to);
	if (q->sop_uid && !dsr_pacs_valid_uid(q->sop_uid))
		return dsr_seterr("SOP Instance UID '%s' is not a valid UID", q->sop_uid);
	if (q->tooth && *q->tooth && !dsr_pacs_tooth_fdi(q->tooth))
		return dsr_seterr("tooth '%s': expected an FDI number (11..48, 51..85) or U1..U32 / "
				  "UA..UT (Universal)", q->tooth);
	return 0;
}

/* The identifier of an IMAGE-level Study Root query. */
OFCondition query_keys(DcmDataset &ds, const dsr_pacs_query *q)
{
	OFCondition c;
	std::string range;
	if ((q->date_from && *q->date_from) || (q->date_to && *q->date_to))
		range = std::string(q->date_from ? q->date_from : "") + "-" + (q->date_to ? q->date_to : "");
	const struct {
		DcmTagKey tag;
		std::string value;
	} keys[] = {
		{ DCM_QueryRetrieveLevel, "IMAGE" },
		{ DCM_PatientID, q->patient_id },
		{ DCM_PatientName, "" },
		{ DCM_StudyInstanceUID, "" },
		{ DCM_StudyDate, range },
		{ DCM_StudyTime, "" },
		{ DCM_SeriesInstanceUID, "" },
		{ DCM_Modality, q->sop_uid ? "" : q->modalities && *q->modalities ? q->modalities : "IO\\DX" },
		{ DCM_SeriesDescription, "" },
		{ DCM_SOPInstanceUID, q->sop_uid ? q->sop_uid : "" },
		{ DCM_SOPClassUID, "" },
		{ DCM_ImageType, "" },
		{ DCM_AcquisitionDate, "" },
		{ DCM_AcquisitionTime, "" },
		{ DCM_ContentDate, "" },
		{ DCM_ContentTime, "" },
	};
	for (const auto &k : keys)
		if (c.good())
			c = ds.putAndInsertString(DcmTag(k.tag), k.value.c_str());
	/* ask for the coded anatomy (teeth) too; PACSs that cannot match sequences return it */
	if (c.good())
		c = ds.insertEmptyElement(DCM_AnatomicRegionSequence);
	return c;
}

bool newer(const dsr_pacs_match &a, const dsr_pacs_match &b)
{
	int d = strcmp(a.date, b.date);
	return d ? d > 0 : strcmp(a.time, b.time) > 0;
}

/* C-GET receiver: the one instance asked for goes to a temporary file next to @path. */
class GetScu : public DcmSCU {
public:
	std::string want_sop, tmp;
	bool got = false;
	std::string problem;

	OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset *incoming,
				       OFBool &continue_session, Uint16 &status) override
	{
		std::unique_ptr<DcmDataset> ds(incoming);
		continue_session = OFTrue;
		status = STATUS_STORE_Refused_OutOfResources;
		if (!ds)
			return DIMSE_NULLKEY;
		OFString sop;
		ds->findAndGetOFString(DCM_SOPInstanceUID, sop);
		if (got || sop != want_sop.c_str()) {
			problem = "the PACS sent an instance that was not asked for (" +
				  std::string(sop.c_str()) + ")";
			status = STATUS_STORE_Error_CannotUnderstand;
			return EC_Normal;
		}
		E_TransferSyntax xfer = ds->getOriginalXfer();
		DcmFileFormat ff(ds.get());
		OFCondition c = ff.saveFile(tmp.c_str(), xfer == EXS_Unknown ? EXS_LittleEndianExplicit : xfer);
		if (c.bad()) {
			problem = std::string("cannot write the retrieved image: ") + c.text();
			unlink(tmp.c_str());
			return EC_Normal;
		}
		got = true;
		status = STATUS_STORE_Success;
		return EC_Normal;
	}
};

/* Free a list of DcmSCU responses. */
template <class T> void free_responses(OFList<T *> &l)
{
	for (auto it = l.begin(); it != l.end(); ++it)
		delete *it;
	l.clear();
}

/* The last response's status, 0xffff if none. */
template <class T> Uint16 final_status(OFList<T *> &l)
{
	return l.empty() ? 0xffff : l.back()->m_status;
}

OFCondition retrieve_keys(DcmDataset &ds, const dsr_pacs_match *m)
{
	OFCondition c = ds.putAndInsertString(DCM_QueryRetrieveLevel, "IMAGE");
	if (c.good()) c = ds.putAndInsertString(DCM_StudyInstanceUID, m->study_uid);
	if (c.good()) c = ds.putAndInsertString(DCM_SeriesInstanceUID, m->series_uid);
	if (c.good()) c = ds.putAndInsertString(DCM_SOPInstanceUID, m->sop_uid);
	return c;
}

/* The retrieved file into place, or the reason it is not there. */
int finish_retrieve(const std::string &tmp, bool got, const std::string &problem,
		    const char *path, const dsr_pacs_match *m, Uint16 status)
{
	if (!got) {
		unlink(tmp.c_str());
		if (!problem.empty())
			return dsr_seterr("retrieving %s: %s", m->sop_uid, problem.c_str());
		return dsr_seterr("the PACS sent nothing for %s (final status %s)", m->sop_uid,
				  status_text(status).c_str());
	}
	if (status != STATUS_Success && status != 0xffff && (status & 0xf000) != 0xb000) {
		unlink(tmp.c_str());
		return dsr_seterr("retrieving %s failed: status %s", m->sop_uid, status_text(status).c_str());
	}
	if (rename(tmp.c_str(), path) != 0) {
		int e = errno;
		unlink(tmp.c_str());
		return dsr_seterr("%s: cannot move the retrieved image into place: %s", path, strerror(e));
	}
	return 0;
}

int check_match(const dsr_pacs_match *m)
{
	if (!dsr_pacs_valid_uid(m->study_uid) || !dsr_pacs_valid_uid(m->series_uid) ||
	    !dsr_pacs_valid_uid(m->sop_uid) || (m->sop_class_uid[0] && !dsr_pacs_valid_uid(m->sop_class_uid)))
		return dsr_seterr("retrieve: the study, series and SOP instance UIDs must be valid UIDs");
	return 0;
}

/* retrieve_get(): the PACS does not do C-GET (C-MOVE may still work). */
const int NO_GET = -2;

int retrieve_get(const dsr_pacs_config *c, const dsr_pacs_match *m, const char *path)
{
	GetScu scu;
	configure(scu, c);
	scu.want_sop = m->sop_uid;
	scu.tmp = std::string(path) + ".part" + std::to_string((long)getpid());
	scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, plain_syntaxes());
	OFList<OFString> ts = retrieve_syntaxes();
	if (m->sop_class_uid[0])
		scu.addPresentationContext(m->sop_class_uid, ts, ASC_SC_ROLE_SCP);
	else
		for (const char *cls : kImageClasses)
			scu.addPresentationContext(cls, ts, ASC_SC_ROLE_SCP);
	OFCondition cond = scu.initNetwork();
	if (cond.bad())
		return dsr_seterr("cannot initialise DICOM networking: %s", cond.text());
	cond = scu.negotiateAssociation();
	if (cond == NET_EC_NoAcceptablePresentationContexts)
		return dsr_seterr("the PACS %s does not offer C-GET (Study Root)", where(c).c_str()), NO_GET;
	if (cond.bad())
		return association_error(c, cond);
	T_ASC_PresentationContextID pc =
		scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
	if (pc == 0) {
		close_association(scu);
		return dsr_seterr("the PACS %s does not offer C-GET (Study Root)", where(c).c_str()), NO_GET;
	}
	DcmDataset keys;
	OFList<RetrieveResponse *> rsp;
	cond = retrieve_keys(keys, m);
	if (cond.good())
		cond = scu.sendCGETRequest(pc, &keys, &rsp);
	Uint16 st = final_status(rsp);
	free_responses(rsp);
	if (cond.bad()) {
		unlink(scu.tmp.c_str());
		int rc = lost(c, "C-GET", cond);
		scu.abortAssociation();
		return rc;
	}
	close_association(scu);
	return finish_retrieve(scu.tmp, scu.got, scu.problem, path, m, st);
}

} /* namespace */

extern "C" {

int dsr_pacs_echo(const struct dsr_pacs_config *c)
{
	try {
		DcmSCU scu;
		configure(scu, c);
		scu.addPresentationContext(UID_VerificationSOPClass, plain_syntaxes());
		if (open_association(scu, c) < 0)
			return -1;
		OFCondition cond = scu.sendECHORequest(0);
		if (cond.bad()) {
			int rc = lost(c, "C-ECHO", cond);
			scu.abortAssociation();
			return rc;
		}
		close_association(scu);
		return 0;
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS: out of memory");
	}
}

int dsr_pacs_find(const struct dsr_pacs_config *c, const struct dsr_pacs_query *q,
		  struct dsr_pacs_match **out, size_t *n, size_t *rejected)
{
	*out = nullptr;
	*n = 0;
	if (rejected)
		*rejected = 0;
	if (check_query(q) < 0)
		return -1;
	try {
		DcmSCU scu;
		configure(scu, c);
		scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, plain_syntaxes());
		if (open_association(scu, c) < 0)
			return -1;
		T_ASC_PresentationContextID pc =
			scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
		if (pc == 0) {
			close_association(scu);
			return dsr_seterr("the PACS %s does not offer C-FIND (Study Root)", where(c).c_str());
		}
		DcmDataset keys;
		OFList<QRResponse *> rsp;
		OFCondition cond = query_keys(keys, q);
		if (cond.good())
			cond = scu.sendFINDRequest(pc, &keys, &rsp);
		if (cond.bad()) {
			free_responses(rsp);
			int rc = lost(c, "C-FIND", cond);
			scu.abortAssociation();
			return rc;
		}
		close_association(scu);
		Uint16 st = final_status(rsp);
		if (st != STATUS_Success) {
			free_responses(rsp);
			return dsr_seterr("the PACS %s refused the query: status %s", where(c).c_str(),
					  status_text(st).c_str());
		}
		std::vector<dsr_pacs_match> found;
		size_t bad = 0;
		for (auto it = rsp.begin(); it != rsp.end(); ++it) {
			dsr_pacs_match m;
			if (!(*it)->m_dataset)
				continue;
			if (dsr_pacs_parse_answer((*it)->m_dataset, &m) < 0) {
				bad++;
				continue;
			}
			if ((!q->include_derived && m.derived) ||
			    (q->tooth && *q->tooth && !dsr_pacs_match_tooth(&m, q->tooth)) ||
			    strcmp(m.patient_id, q->patient_id) != 0)
				continue;
			found.push_back(m);
		}
		free_responses(rsp);
		std::stable_sort(found.begin(), found.end(), newer);
		if (rejected)
			*rejected = bad;
		if (found.empty())
			return 0;
		*out = (dsr_pacs_match *)malloc(found.size() * sizeof(**out));
		if (!*out)
			return dsr_seterr("PACS: out of memory");
		std::copy(found.begin(), found.end(), *out);
		*n = found.size();
		return 0;
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS: out of memory");
	}
}

int dsr_pacs_retrieve(const struct dsr_pacs_config *c, const struct dsr_pacs_match *m,
		      const char *path)
{
	if (check_match(m) < 0)
		return -1;
	try {
		if (c->retrieve == DSR_PACS_MOVE)
			return dsr_pacs_retrieve_move(c, m, path);
		int rc = retrieve_get(c, m, path);
		if (rc != NO_GET)
			return rc;
		/* the PACS needs C-MOVE: to our AE title on move_port */
		if (dsr_pacs_retrieve_move(c, m, path) == 0)
			return 0;
		std::string why = dsr_error();
		return dsr_seterr("the PACS %s does not offer C-GET, and C-MOVE failed: %s",
				  where(c).c_str(), why.c_str());
	} catch (const std::bad_alloc &) {
		return dsr_seterr("PACS: out of memory");
	}
}

} /* extern "C" */

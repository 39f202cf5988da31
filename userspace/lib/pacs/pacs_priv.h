/*
 * pacs_priv.h - what the files of lib/pacs share.
 */
#ifndef DSR_PACS_PRIV_H
#define DSR_PACS_PRIV_H

#include "dsr/pacs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PS3.5 syntax checks on untrusted values: 1 if valid. */
int dsr_pacs_valid_uid(const char *s);
int dsr_pacs_valid_da(const char *s);

/* C-MOVE to a storage SCP run on c->move_port for the time of the retrieval (move.cc). */
int dsr_pacs_retrieve_move(const struct dsr_pacs_config *c, const struct dsr_pacs_match *m,
			   const char *path);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmnet/scu.h"

/* The DcmSCU plumbing pacs.cc, store.cc and move.cc share (pacs.cc). */
namespace dsr_pacs {
void quiet();
/* "'AE' at host:port" for messages. */
std::string where(const dsr_pacs_config *c);
std::string reject_reason(const dsr_pacs_config *c);
/* dsr_seterr() for a failed association: rejected (and why), refused, timeout. -1. */
int association_error(const dsr_pacs_config *c, const OFCondition &cond);
/* AE titles, peer, timeouts and non-blocking DIMSE from @c. */
void configure(DcmSCU &scu, const dsr_pacs_config *c);
/* initNetwork + negotiateAssociation; 0 or -1 (dsr_error()). */
int open_association(DcmSCU &scu, const dsr_pacs_config *c);
void close_association(DcmSCU &scu);
/* dsr_seterr() for an association lost during @during. -1. */
int lost(const dsr_pacs_config *c, const char *during, const OFCondition &cond);
/* "0xa700 (refused: out of resources)" */
std::string status_text(Uint16 s);
} /* namespace dsr_pacs */
#endif

#endif /* DSR_PACS_PRIV_H */

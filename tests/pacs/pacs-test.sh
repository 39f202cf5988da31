#!/usr/bin/env bash
# pacs-test.sh - the PACS workflow against a real Orthanc (Debian's `orthanc`), started
# here on loopback ports with its own configuration and storage and stopped at the end.
#
#   priors stored (C-STORE) -> find (C-FIND: patient, modality, tooth, dates) -> retrieve
#   (C-GET and C-MOVE, pixel for pixel) -> dsr series pacs:latest FOLLOW-UP (the baseline
#   fetched by the tool) with a region and the overlay -> results stored (C-STORE) ->
#   Orthanc's REST API shows them under the right patient, study and series with their
#   source references. A second PACS, DCMTK's dcmqrscp without C-GET: get falls back to
#   C-MOVE.
# Error cases: a wrong called AE title, an AE title the PACS does not know, a refused
# store (and a mixed store of which only the confirmed file counts), an object the PACS
# acknowledges and drops (caught by --verify), a PACS that accepts the connection but
# never answers (timeout), Orthanc stopped.
#
# Usage: pacs-test.sh [DSR]   (default userspace/build/dsr). Prints PACS-FLOW timings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DSR=${1:-${DSR:-$root/userspace/build/dsr}}
DSR=$(cd "$(dirname "$DSR")" && pwd)/$(basename "$DSR")

work=$(mktemp -d "${TMPDIR:-/tmp}/dsr-pacs.XXXXXX")
export ORTHANC_DIR=$work/orthanc
ORTHANC_PID=
hang_pid=
# shellcheck source=tests/pacs/orthanc.sh
. "$here/orthanc.sh"
qr_pid=
cleanup() {
	orthanc_stop
	[ -z "$hang_pid" ] || kill "$hang_pid" 2>/dev/null || true
	[ -z "$qr_pid" ] || kill "$qr_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

pass=0
fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# check "what" command...: passes if the command succeeds
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
ms() { date +%s%3N; }

HTTP_PORT=$(free_port)
DICOM_PORT=$(free_port)
MOVE_PORT=$(free_port)
export HTTP_PORT DICOM_PORT MOVE_PORT
cd "$work"

# ---- test images: a phantom pair as DICOM IO objects (dump2dcm) ---------------------------
"$DSR" sample -o base.pgm --follow follow.pgm --size 256x256 --shift 3,-2 \
	--lesion 150,120,8,0.08 --seed 3 >/dev/null
python3 - <<'PY'
for n in ("base", "follow"):
    d = open(n + ".pgm", "rb").read().split(b"\n", 3)
    assert d[0] == b"P5" and d[1] == b"256 256" and d[2] == b"4095"
    open(n + ".raw", "wb").write(d[3])
PY
uidroot=1.2.826.0.1.3680043.9.7777.14
# mkdcm OUT PATIENT STUDY-N SERIES-N SOP-N DATE MODALITY TOOTH RAW: TOOTH is an FDI number
# (coded ISO3950) or SRT:CODE (DICOM CID 4018, as libdsr's dental record writes teeth)
mkdcm() {
	local cls=DigitalIntraOralXRayImageStorageForPresentation scheme=ISO3950 code=$8
	[ "$7" = IO ] || cls=DigitalXRayImageStorageForPresentation
	case $8 in SRT:*) scheme=SRT code=${8#SRT:} ;; esac
	cat >"$1.dump" <<EOF
(0008,0008) CS [ORIGINAL\\PRIMARY]
(0008,0016) UI =$cls
(0008,0018) UI [$uidroot.$3.$4.$5]
(0008,0020) DA [$6]
(0008,0030) TM [101500]
(0008,0022) DA [$6]
(0008,0032) TM [101510]
(0008,0050) SH [ACC$3]
(0008,0060) CS [$7]
(0008,0090) PN []
(0008,103e) LO [bitewing $8]
(0008,2218) SQ (Sequence with undefined length)
(fffe,e000) na (Item with undefined length)
(0008,0100) SH [T-D0100]
(0008,0102) SH [SRT]
(0008,0104) LO [Jaw region]
(0008,2228) SQ (Sequence with undefined length)
(fffe,e000) na (Item with undefined length)
(0008,0100) SH [$code]
(0008,0102) SH [$scheme]
(0008,0104) LO [Tooth $8]
(fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0010,0010) PN [Doe^Jane]
(0010,0020) LO [$2]
(0010,0030) DA [19700101]
(0010,0040) CS [F]
(0020,000d) UI [$uidroot.$3]
(0020,000e) UI [$uidroot.$3.$4]
(0020,0010) SH [S$3]
(0020,0011) IS [$4]
(0020,0013) IS [$5]
(0020,0020) CS []
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 256
(0028,0011) US 256
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW =$9
EOF
	dump2dcm -q +rb "$1.dump" "$1"
}
mkdcm prior-36-2025.dcm P1 1 1 1 20250110 IO 36 base.raw
mkdcm prior-36-2024.dcm P1 2 1 1 20240601 IO 36 base.raw
mkdcm prior-11-2025.dcm P1 3 1 1 20250201 IO SRT:T-54280 base.raw
mkdcm other-patient.dcm P2 4 1 1 20250301 DX 36 base.raw
mkdcm follow.dcm P1 5 1 1 20260115 IO 36 follow.raw
# an object of a SOP class Orthanc does not know: its store is refused
sed -e 's/^(0008,0016) UI =.*/(0008,0016) UI [1.2.826.0.1.3680043.9.7777.14.999]/' \
	-e "s/\[$uidroot.1.1.1\]/[$uidroot.9.1.1]/" prior-36-2025.dcm.dump >odd.dump
dump2dcm -q +rb odd.dump odd-class.dcm
# a patient Orthanc's filter acknowledges and drops
sed -e 's/^(0010,0020) LO .*/(0010,0020) LO [DROP-ME]/' \
	-e "s/\[$uidroot.1.1.1\]/[$uidroot.8.1.1]/" prior-36-2025.dcm.dump >drop.dump
dump2dcm -q +rb drop.dump dropped.dcm

# ---- Orthanc ------------------------------------------------------------------------------
orthanc_config
t0=$(ms)
orthanc_start
echo "orthanc $(rest /system | python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])') up in $(($(ms) - t0)) ms (DICOM $DICOM_PORT, HTTP $HTTP_PORT)"
cat >pacs.conf <<EOF
# the test PACS
calling_ae = DSR
called_ae = ORTHANC
host = 127.0.0.1
port = $DICOM_PORT
timeout = 5
move_port = $MOVE_PORT
EOF
export DSR_PACS_CONFIG=$work/pacs.conf

check "C-ECHO" "$DSR" pacs echo >/dev/null
t0=$(ms)
"$DSR" pacs store prior-36-2025.dcm prior-36-2024.dcm prior-11-2025.dcm other-patient.dcm >store1.log
t_prior=$(($(ms) - t0))
check "priors stored: 4 of 4 confirmed" grep -q '^4 of 4 file(s) stored' store1.log
check "Orthanc holds 2 patients" test "$(rest /patients | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2

# ---- find ---------------------------------------------------------------------------------
t0=$(ms)
"$DSR" pacs find --patient-id P1 --json >find-all.json
t_find=$(($(ms) - t0))
sops() { python3 -c 'import json,sys; print(" ".join(m["sop_instance_uid"].rsplit(".",3)[1] for m in json.load(open(sys.argv[1]))))' "$1"; }
check "find P1: 3 priors, newest first" test "$(sops find-all.json)" = "3 1 2"
"$DSR" pacs find --patient-id P1 --tooth 36 --json >find-36.json
check "find P1 tooth 36: 2 priors" test "$(sops find-36.json)" = "1 2"
"$DSR" pacs find --patient-id P1 --tooth U19 --json >find-u19.json
check "find tooth U19 (Universal for 36)" test "$(sops find-u19.json)" = "1 2"
"$DSR" pacs find --patient-id P1 --tooth 11 --json >find-11.json
check "find tooth 11 coded as CID 4018 (SRT T-54280)" test "$(sops find-11.json)" = "3"
"$DSR" pacs find --patient-id P1 --from 20250101 --to 20251231 --json >find-2025.json
check "find P1 in 2025: 2 priors" test "$(sops find-2025.json)" = "3 1"
"$DSR" pacs find --patient-id P2 --modality IO --json >find-p2-io.json
check "find P2 modality IO: none (it is DX)" test "$(sops find-p2-io.json)" = ""
"$DSR" pacs find --patient-id P2 --modality DX --json >find-p2-dx.json
check "find P2 modality DX: one" test "$(sops find-p2-dx.json)" = "4"
check "find refuses a bad tooth" test "$("$DSR" pacs find --patient-id P1 --tooth 19x >/dev/null 2>&1; echo $?)" = 2

# ---- retrieve -----------------------------------------------------------------------------
pixels() { dcmdump -q +L +P 7fe0,0010 "$1"; }
t0=$(ms)
"$DSR" pacs get --patient-id P1 --tooth 36 -o got-get.dcm >/dev/null
t_get=$(($(ms) - t0))
check "C-GET: the newest prior of tooth 36, pixel for pixel" \
	test "$(pixels got-get.dcm)" = "$(pixels prior-36-2025.dcm)" -a \
	"$(dcmdump -q +P 0008,0018 got-get.dcm)" = "$(dcmdump -q +P 0008,0018 prior-36-2025.dcm)"
t0=$(ms)
"$DSR" pacs get --patient-id P1 --tooth 36 --index 2 --retrieve move -o got-move.dcm >/dev/null
t_move=$(($(ms) - t0))
check "C-MOVE: the second prior, pixel for pixel" \
	test "$(dcmdump -q +P 0008,0018 got-move.dcm)" = "$(dcmdump -q +P 0008,0018 prior-36-2024.dcm)" -a \
	"$(pixels got-move.dcm)" = "$(pixels prior-36-2024.dcm)"
other_port=$(free_port)
msg=$("$DSR" pacs get --patient-id P1 --retrieve move --move-port "$other_port" -o moved-nowhere.dcm 2>&1 || true)
check "C-MOVE to a port the PACS does not know: says so, no file" \
	bash -c "grep -q 'moved nothing' <<<\"$msg\" && test ! -e moved-nowhere.dcm"
check "get of a prior that is not there fails, no file left" \
	bash -c "! '$DSR' pacs get --patient-id P1 --index 9 -o none.dcm 2>/dev/null && test ! -e none.dcm"

# ---- a PACS without C-GET: DCMTK's dcmqrscp --disable-get; get falls back to C-MOVE ----------
qr_port=$(free_port)
mkdir -p qr/db
cat >qr/qr.cfg <<EOF
NetworkTCPPort = $qr_port
MaxPDUSize = 16384
MaxAssociations = 4
HostTable BEGIN
dsr = (DSR, 127.0.0.1, $MOVE_PORT)
HostTable END
VendorTable BEGIN
VendorTable END
AETable BEGIN
NOGET $work/qr/db RW (20, 64mb) ANY
AETable END
EOF
dcmqrscp --disable-get -c qr/qr.cfg >qr/log 2>&1 &
qr_pid=$!
for _ in $(seq 50); do "$DSR" pacs echo --aec NOGET --port "$qr_port" >/dev/null 2>&1 && break; sleep 0.1; done
"$DSR" pacs store prior-36-2024.dcm --aec NOGET --port "$qr_port" >/dev/null
"$DSR" pacs get --aec NOGET --port "$qr_port" --study "$uidroot.2" --series "$uidroot.2.1" \
	--sop "$uidroot.2.1.1" -o got-fallback.dcm >/dev/null || true
check "a PACS without C-GET (dcmqrscp): get falls back to C-MOVE, pixel for pixel" \
	test -s got-fallback.dcm -a "$(pixels got-fallback.dcm)" = "$(pixels prior-36-2024.dcm)"
kill "$qr_pid"
wait "$qr_pid" 2>/dev/null || true
qr_pid=

# ---- subtract with the baseline from the PACS, store the results ----------------------------
t0=$(ms)
"$DSR" series pacs:latest follow.dcm -o out --region circle:147,122,7 --overlay >series.log
t_series=$(($(ms) - t0))
check "series pacs:latest fetched the newest prior of the same tooth" \
	grep -q "baseline from the PACS: $uidroot.1.1.1 of 20250110" series.log
check "series: the lesion measured as a significant loss" python3 - <<'PY'
import json
m = json.load(open("out/report.json"))["members"][0]
r = m["measurements"][0]
assert m["status"] == "ok" and r["significant"] and r["change"] < 0, r
PY
"$DSR" subtract "pacs:$uidroot.2.1.1" follow.dcm --register -o sub.png --region circle:147,122,7 >subtract.log
check "subtract pacs:SOP-UID fetched that prior and measured the loss" \
	bash -c "grep -q 'baseline from the PACS: $uidroot.2.1.1 of 20240601' subtract.log && grep -q 'LOSS' subtract.log"
check "overlay and difference from IO sources: dciodvfy finds no error" \
	bash -c "! dciodvfy out/overlay-01.dcm 2>&1 | grep -q Error && ! dciodvfy out/difference-01.dcm 2>&1 | grep -q Error"
t0=$(ms)
set +e
"$DSR" pacs store --report out/report.json --with-overlay --with-followup --verify \
	--receipt receipt.json >store2.log
rc=$?
set -e
t_store=$(($(ms) - t0))
check "results stored and verified: follow-up, difference, overlay (3 of 3)" \
	test $rc = 0 -a "$(grep -c '^stored ' store2.log)" = 3 -a \
	"$(grep -c '^3 of 3 file(s) stored and verified' store2.log)" = 1

# ---- Orthanc's view of what was stored ------------------------------------------------------
check "REST: difference and overlay filed under patient P1, the follow-up's study, their series, sources intact" \
	python3 - "$HTTP_PORT" "$uidroot" <<'PY'
import json, sys, urllib.request
port, root = sys.argv[1], sys.argv[2]
def get(p):
    return json.load(urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, p)))
def find(sop):
    req = urllib.request.Request("http://127.0.0.1:%s/tools/find" % port, method="POST",
        data=json.dumps({"Level": "Instance", "Query": {"SOPInstanceUID": sop}}).encode())
    ids = json.load(urllib.request.urlopen(req))
    assert len(ids) == 1, (sop, ids)
    return ids[0]
rep = json.load(open("out/report.json"))
m = rep["members"][0]
diff, ov = m["difference"], m["overlay"]
for sop, series in ((diff["sop_instance_uid"], rep["series_instance_uid"]),
                    (ov["sop_instance_uid"], None)):
    i = find(sop)
    tags = get("/instances/%s/simplified-tags" % i)
    assert get("/instances/%s/patient" % i)["MainDicomTags"]["PatientID"] == "P1"
    assert tags["StudyInstanceUID"] == root + ".5", tags["StudyInstanceUID"]
    if series:
        assert tags["SeriesInstanceUID"] == series
    srcs = [s["ReferencedSOPInstanceUID"] for s in tags["SourceImageSequence"]]
    assert root + ".5.1.1" in srcs, srcs                 # the follow-up
    if series:
        assert root + ".1.1.1" in srcs, srcs             # the prior fetched from the PACS
    else:
        assert diff["sop_instance_uid"] in srcs, srcs     # the overlay names the difference
study = get("/instances/%s/study" % find(diff["sop_instance_uid"]))
assert study["MainDicomTags"]["StudyInstanceUID"] == root + ".5"
assert len(study["Series"]) == 3, study["Series"]          # follow-up, difference, overlay
PY

# ---- errors ----------------------------------------------------------------------------------
err() { "$DSR" "$@" 2>&1 >/dev/null || true; }
check "wrong called AE title: rejected, says so" \
	bash -c "'$DSR' pacs echo --aec WRONGAE 2>&1 | grep -q \"rejected the association: the called AE title 'WRONGAE'\""
msg=$(err pacs find --patient-id P1 --aet STRANGER)
check "unknown calling AE: refused, names our AE title" grep -q "STRANGER" <<<"$msg"
set +e
"$DSR" pacs store follow.dcm odd-class.dcm --receipt receipt-mixed.json >store3.log
rc=$?
set -e
check "refused store: exit 1, only the confirmed file claimed" \
	test $rc = 1 -a "$(grep -c '^stored ' store3.log)" = 1 -a "$(grep -c '^NOT stored  odd-class.dcm' store3.log)" = 1
check "refused store: the receipt agrees, Orthanc does not have it" python3 - "$HTTP_PORT" <<'PY'
import json, sys, urllib.request
r = json.load(open("receipt-mixed.json"))["files"]
assert [f["stored"] for f in r] == [True, False], r
req = urllib.request.Request("http://127.0.0.1:%s/tools/find" % sys.argv[1], method="POST",
    data=json.dumps({"Level": "Instance", "Query": {"SOPInstanceUID": r[1]["sop_instance_uid"]}}).encode())
assert json.load(urllib.request.urlopen(req)) == []
PY
set +e
"$DSR" pacs store dropped.dcm >store5.log
rc_plain=$?
"$DSR" pacs store dropped.dcm --verify >store6.log
rc_verify=$?
set -e
check "acknowledged but dropped: C-STORE alone believes it, --verify does not" \
	test $rc_plain = 0 -a $rc_verify = 1 -a "$(grep -c '^NOT stored  dropped.dcm: the PACS acknowledged it' store6.log)" = 1
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True); time.sleep(60)' >hang.port &
hang_pid=$!
for _ in $(seq 50); do [ -s hang.port ] && break; sleep 0.1; done
t0=$(ms)
msg=$(err pacs echo --port "$(cat hang.port)" --timeout 2)
t_hang=$(($(ms) - t0))
check "PACS that never answers: timeout after 2 s (${t_hang} ms)" \
	bash -c "grep -q 'did not answer within 2 s' <<<\"$msg\" && [ $t_hang -lt 5000 ]"
kill "$hang_pid" 2>/dev/null || true
hang_pid=

orthanc_stop
msg=$(err pacs echo)
check "Orthanc stopped: not reachable, connection refused" grep -q "not reachable: connection refused" <<<"$msg"
msg=$(err series pacs:latest follow.dcm -o out2)
check "Orthanc stopped: series pacs:latest fails clearly, writes nothing" \
	bash -c "grep -q 'not reachable' <<<\"$msg\" && test ! -e out2"
set +e
"$DSR" pacs store out/difference-01.dcm >store4.log 2>&1
rc=$?
set -e
check "Orthanc stopped: store claims nothing" test $rc = 1 -a "$(grep -c '^stored ' store4.log)" = 0

echo "PACS-FLOW store-priors ${t_prior} ms, find ${t_find} ms, get ${t_get} ms, move ${t_move} ms, series ${t_series} ms, store-results ${t_store} ms"
echo "pacs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

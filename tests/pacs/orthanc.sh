# orthanc.sh - a private Orthanc for the PACS tests, sourced by pacs-test.sh: its own
# configuration, storage and index under $ORTHANC_DIR, DICOM and HTTP on free loopback
# ports, storage refused for SOP classes it does not know, a Lua filter that
# acknowledges and silently drops instances of patient DROP-ME (as filtering PACSs do),
# and our AE title DSR known at 127.0.0.1:$MOVE_PORT (for C-MOVE). Other AE titles may echo and store but not query
# or retrieve (Orthanc's DicomAlwaysAllow* defaults).

# A free TCP port on the loopback interface.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

orthanc_config() {
	mkdir -p "$ORTHANC_DIR/storage" "$ORTHANC_DIR/index"
	cat >"$ORTHANC_DIR/filter.lua" <<'LUA'
function ReceivedInstanceFilter(dicom, origin, info)
   return dicom.PatientID ~= 'DROP-ME'
end
LUA
	cat >"$ORTHANC_DIR/orthanc.json" <<JSON
{
  "Name": "dsr-pacs-test",
  "StorageDirectory": "$ORTHANC_DIR/storage",
  "IndexDirectory": "$ORTHANC_DIR/index",
  "Plugins": [],
  "UnknownSopClassAccepted": false,
  "LuaScripts": [ "$ORTHANC_DIR/filter.lua" ],
  "HttpServerEnabled": true,
  "HttpPort": $HTTP_PORT,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomServerEnabled": true,
  "DicomAet": "ORTHANC",
  "DicomPort": $DICOM_PORT,
  "DicomCheckCalledAet": true,
  "DicomAlwaysAllowEcho": true,
  "DicomAlwaysAllowStore": true,
  "DicomAlwaysAllowFind": false,
  "DicomAlwaysAllowGet": false,
  "DicomAlwaysAllowMove": false,
  "DicomCheckModalityHost": false,
  "DicomModalities": { "dsr": [ "DSR", "127.0.0.1", $MOVE_PORT ] },
  "DicomScpTimeout": 10,
  "DicomScuTimeout": 10,
  "StorageAccessOnFind": "Always",
  "ConcurrentJobs": 1,
  "HttpThreadsCount": 4,
  "DicomThreadsCount": 2,
  "SaveJobs": false
}
JSON
}

# Start it and wait until its REST API answers (at most 30 s).
orthanc_start() {
	# Debian installs it in /usr/sbin, which an ordinary user's PATH may not have
	local bin
	bin=$(command -v Orthanc || echo /usr/sbin/Orthanc)
	"$bin" "$ORTHANC_DIR/orthanc.json" >"$ORTHANC_DIR/orthanc.log" 2>&1 &
	ORTHANC_PID=$!
	for _ in $(seq 1 300); do
		if curl -sf "http://127.0.0.1:$HTTP_PORT/system" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$ORTHANC_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "orthanc did not start:" >&2
	tail -20 "$ORTHANC_DIR/orthanc.log" >&2
	return 1
}

orthanc_stop() {
	if [ -n "${ORTHANC_PID:-}" ] && kill -0 "$ORTHANC_PID" 2>/dev/null; then
		kill "$ORTHANC_PID"
		wait "$ORTHANC_PID" 2>/dev/null || true
	fi
	ORTHANC_PID=
}

# GET a REST path; stdout the JSON.
rest() {
	curl -sf "http://127.0.0.1:$HTTP_PORT$1"
}

# POST JSON to a REST path.
rest_post() {
	curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$HTTP_PORT$1"
}

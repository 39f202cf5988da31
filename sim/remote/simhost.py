#!/usr/bin/env python3
"""simhost.py - serve simulated boards to a QEMU guest: dsr-sim at native speed on the host.

The guest's dsr-sim-remote (sim/remote/remote.c) sends a dsr-sim command line here over
two TCP connections through QEMU's user-mode network (the guest reaches this host's
127.0.0.1 at 10.0.2.2). This server starts `dsr-sim --fd N ARGS` on the second
connection, which the guest then gives to its vhci-hcd: the board's USB/IP stream goes
straight between the kernel in the guest and dsr-sim on the host.

Protocol (every message "TYPE LEN\\n" + LEN bytes):
  control, guest -> host: HELLO, optionally VARIANT name (another dsr-sim build, see
      --variant), then ARG (an argument) or FILE (basename NUL contents: a file the
      guest named; here it becomes a temporary file) per argument, then GO;
      later STOP (unplug: SIGTERM to dsr-sim)
  control, host -> guest: TOKEN t; PID p once dsr-sim runs; OUT (its stdout and stderr);
      EXIT rc when it has ended (rc 1 and an OUT line if it could not start)
  data, guest -> host: DATA t - then the connection is dsr-sim's, nothing else is read

Listens on 127.0.0.1 only, on a port the kernel picks unless --port is given; writes the
port to --port-file. Runs until SIGTERM/SIGINT, then stops every dsr-sim it started.

Restricted guests (QEMU `-nic user,restrict=on`: the guest reaches nothing on the host):
with --unix PATH this server also takes connections handed over on that Unix socket,
one file descriptor each (SCM_RIGHTS). QEMU's `guestfwd=tcp:ADDR:PORT-cmd:simhost.py
--pass-to PATH` runs `simhost.py --pass-to PATH` for every connection the guest opens to
ADDR:PORT, with that connection on its stdin; it passes stdin here and exits, so the
board's stream runs between the guest and dsr-sim with no relay in between.
"""
import argparse
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MSG_MAX = 64 << 20


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return bytes(buf)


def recv_msg(sock):
    """One message, reading the header byte by byte so nothing after it is consumed."""
    head = bytearray()
    while True:
        b = sock.recv(1)
        if not b:
            raise EOFError("connection closed")
        if b == b"\n":
            break
        head += b
        if len(head) > 64:
            raise ValueError("message header too long")
    kind, _, length = head.decode("ascii", "replace").partition(" ")
    n = int(length)
    if n < 0 or n > MSG_MAX:
        raise ValueError(f"message {kind}: length {n} out of range")
    return kind, recv_exact(sock, n)


def send_msg(sock, kind, body=b""):
    if isinstance(body, str):
        body = body.encode()
    sock.sendall(b"%s %d\n" % (kind.encode(), len(body)) + body)


class Server:
    def __init__(self, sim, variants, extra, log):
        self.sim = sim
        self.variants = variants
        self.extra = extra
        self.log = log
        self.lock = threading.Lock()
        self.waiting = {}      # token -> (event, [data socket])
        self.children = set()
        self.stopping = False

    def say(self, msg):
        if self.log:
            print(f"simhost: {msg}", file=sys.stderr, flush=True)

    def handle(self, conn):
        try:
            kind, body = recv_msg(conn)
            if kind == "HELLO":
                self.control(conn)
            elif kind == "DATA":
                self.data(conn, body.decode("ascii", "replace"))
            else:
                conn.close()
        except (EOFError, ValueError, OSError) as e:
            self.say(f"connection dropped: {e}")
            conn.close()

    def data(self, conn, token):
        with self.lock:
            slot = self.waiting.get(token)
        if not slot:
            conn.close()
            return
        slot[1].append(conn)
        slot[0].set()

    def control(self, conn):
        tmp = tempfile.mkdtemp(prefix="simhost.")
        args = []
        sim = self.sim
        try:
            while True:
                kind, body = recv_msg(conn)
                if kind == "GO":
                    break
                if kind == "VARIANT":
                    name = body.decode("ascii", "replace")
                    if name not in self.variants:
                        send_msg(conn, "OUT", f"simhost: no dsr-sim variant '{name}' "
                                 f"(have: {', '.join(self.variants) or 'none'})\n")
                        send_msg(conn, "EXIT", "1")
                        return
                    sim = self.variants[name]
                elif kind == "ARG":
                    args.append(body.decode("utf-8", "surrogateescape"))
                elif kind == "FILE":
                    name, _, data = body.partition(b"\0")
                    base = os.path.basename(name.decode("utf-8", "replace")) or "file"
                    path = os.path.join(tmp, f"{len(args)}-{base}")
                    with open(path, "wb") as f:
                        f.write(data)
                    args.append(path)
                else:
                    raise ValueError(f"unexpected {kind}")
            token = secrets.token_hex(8)
            event = threading.Event()
            with self.lock:
                self.waiting[token] = (event, [])
            send_msg(conn, "TOKEN", token)
            if not event.wait(10):
                send_msg(conn, "OUT", "simhost: no data connection within 10 s\n")
                send_msg(conn, "EXIT", "1")
                return
            with self.lock:
                data = self.waiting.pop(token)[1][0]
            self.run(conn, data, sim, args)
        finally:
            conn.close()
            for f in os.listdir(tmp):
                os.unlink(os.path.join(tmp, f))
            os.rmdir(tmp)

    def run(self, conn, data, sim, args):
        if data.family == socket.AF_INET:
            data.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        fd = data.fileno()
        cmd = [sim, "--fd", str(fd)] + self.extra + args
        try:
            child = subprocess.Popen(cmd, pass_fds=(fd,), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as e:
            send_msg(conn, "OUT", f"simhost: cannot start {sim}: {e}\n")
            send_msg(conn, "EXIT", "1")
            return
        data.close()     # dsr-sim has its own copy
        with self.lock:
            self.children.add(child)
        self.say(f"pid {child.pid}: {' '.join(cmd[3:])}")
        send_msg(conn, "PID", str(child.pid))
        out = child.stdout.fileno()
        ctl_open = True
        term_at = None
        while True:
            fds = [out] + ([conn] if ctl_open else [])
            ready, _, _ = select.select(fds, [], [], 0.5)
            if out in ready:
                chunk = os.read(out, 65536)
                if not chunk:
                    break
                if ctl_open:
                    try:
                        send_msg(conn, "OUT", chunk)
                    except OSError:
                        ctl_open = False
            if ctl_open and conn in ready:
                try:
                    kind, _ = recv_msg(conn)
                except (EOFError, ValueError, OSError):
                    kind = "STOP"
                    ctl_open = False
                if kind == "STOP" and term_at is None:
                    child.terminate()
                    term_at = time.monotonic()
            if not ctl_open and term_at is None:
                child.terminate()
                term_at = time.monotonic()
            if term_at is not None and time.monotonic() - term_at > 5:
                child.kill()
        rc = child.wait()
        with self.lock:
            self.children.discard(child)
        self.say(f"pid {child.pid}: exit {rc}")
        if ctl_open:
            try:
                send_msg(conn, "EXIT", str(rc if rc >= 0 else 128 - rc))
            except OSError:
                pass

    def stop_all(self):
        with self.lock:
            kids = list(self.children)
        for c in kids:
            c.terminate()
        for c in kids:
            try:
                c.wait(5)
            except subprocess.TimeoutExpired:
                c.kill()


def pass_stdin(path):
    """--pass-to: hand our stdin (the guest's connection, from guestfwd) to the server."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        socket.send_fds(s, [b"c"], [0])
        s.recv(1)    # the server has the descriptor once it closes


def serve_unix(srv, path):
    """--unix: connections handed over by `simhost.py --pass-to`, served as accepted ones."""
    usock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    usock.bind(path)
    usock.listen(64)

    def loop():
        while True:
            c, _ = usock.accept()
            try:
                _, fds, _, _ = socket.recv_fds(c, 16, 1)
            except OSError as e:
                srv.say(f"handover failed: {e}")
                fds = []
            finally:
                c.close()
            for fd in fds:
                conn = socket.socket(fileno=fd)
                threading.Thread(target=srv.handle, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return usock


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--pass-to":
        pass_stdin(sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", required=True, help="the dsr-sim binary")
    ap.add_argument("--port", type=int, default=0, help="TCP port (default: any free one)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--sim-arg", action="append", default=[],
                    help="an argument added to every dsr-sim command line")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=PATH",
                    help="another dsr-sim build a guest may ask for (DSR_SIM_VARIANT)")
    ap.add_argument("--unix", metavar="PATH",
                    help="also serve connections handed over on this Unix socket "
                    "(simhost.py --pass-to PATH, for QEMU's guestfwd)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    variants = {}
    for v in a.variant:
        name, _, path = v.partition("=")
        if os.access(path, os.X_OK):
            variants[name] = path
    for path in [a.sim] + list(variants.values()):
        if not os.access(path, os.X_OK):
            sys.exit(f"simhost: {path}: not an executable")
    srv = Server(a.sim, variants, a.sim_arg, a.verbose)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(64)
    usock = serve_unix(srv, a.unix) if a.unix else None
    port = lsock.getsockname()[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.say(f"listening on 127.0.0.1:{port}, dsr-sim {a.sim}")

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        while True:
            conn, _ = lsock.accept()
            threading.Thread(target=srv.handle, args=(conn,), daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        lsock.close()
        if usock:
            usock.close()
            os.unlink(a.unix)
        srv.stop_all()


if __name__ == "__main__":
    main()

/*
 * sim.c - the event loop. See sim.h.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CONNS_MAX	4

struct sim {
	struct sim_options opt;
	struct board *board;
	struct source *source;
	struct bridge *bridge;
	struct usbip_conn *conns[CONNS_MAX];
	int stop_pipe[2];
	/* vhci mode: the port we attached to, for the busid report */
	int vhci_port;
	const char *vhci_dir;
	char vhci_dir_buf[256];
};

/* High speed, serial DSRSIM0001, busid 1-1, 256 KiB FIFO, no source, no faults. */
void sim_options_default(struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->speed = SIM_SPEED_HIGH;
	o->serial = "DSRSIM0001";
	o->busid = "1-1";
	o->fifo_bytes = 256u << 10;
	o->batch_cycles = 4096;	/* the DRAM build: ~0.1 s under load, USB requests answered well within their timeouts */
	o->phantom_seed = 1;
}

static void report_busid(void *arg);

/* Board, source and bridge, in that order; the bridge reads the board at once. */
struct sim *sim_new(const struct sim_options *o)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct bridge_config cfg;

	if (!s)
		return NULL;
	s->opt = *o;
	s->vhci_port = -1;
	if (pipe2(s->stop_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(s);
		return NULL;
	}
	s->board = board_new();
	if (!s->board) {
		sim_log("cannot create the Verilated board");
		sim_free(s);
		return NULL;
	}
	if (o->phantom)
		s->source = source_phantom_new(o->phantom_seed);
	else if (o->nlive)
		s->source = source_files_new(o->live, o->nlive);
	if ((o->phantom || o->nlive) && !s->source) {
		sim_free(s);
		return NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.speed = o->speed;
	cfg.serial = o->serial;
	cfg.busid = o->busid;
	cfg.fifo_bytes = o->fifo_bytes;
	cfg.faults = o->faults;
	cfg.source = s->source;
	cfg.fps = o->fps;
	cfg.on_configured = report_busid;
	cfg.on_configured_arg = s;
	s->bridge = bridge_new(s->board, &cfg);
	if (!s->bridge) {
		sim_free(s);
		return NULL;
	}
	return s;
}

/* Connections first (their detach touches the bridge), then the bridge, source and board. */
void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (int i = 0; i < CONNS_MAX; i++)
		usbip_conn_free(s->conns[i]);
	bridge_free(s->bridge);
	source_free(s->source);
	board_free(s->board);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	free(s);
}

/* Accessors for main.c and the tests. */
struct bridge *sim_bridge(struct sim *s)
{
	return s->bridge;
}

struct board *sim_board(struct sim *s)
{
	return s->board;
}

/* A byte on the stop pipe wakes poll(): async-signal-safe. */
void sim_stop(struct sim *s)
{
	char b = 1;
	ssize_t r = write(s->stop_pipe[1], &b, 1);

	(void)r;
}

/* Monotonic time for the source's frame schedule. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Close connections that asked for it; returns how many remain. */
static int reap_conns(struct sim *s)
{
	int n = 0;

	for (int i = 0; i < CONNS_MAX; i++) {
		if (!s->conns[i])
			continue;
		if (usbip_conn_state(s->conns[i]) == USBIP_CONN_DEAD) {
			usbip_conn_free(s->conns[i]);
			s->conns[i] = NULL;
		} else {
			n++;
		}
	}
	return n;
}

/* Give every imported connection's queued URBs another chance. */
static void service_conns(struct sim *s)
{
	for (int i = 0; i < CONNS_MAX; i++) {
		if (!s->conns[i] || usbip_conn_state(s->conns[i]) != USBIP_CONN_URB)
			continue;
		usbip_conn_service(s->conns[i]);
		if (usbip_conn_on_writable(s->conns[i]) < 0)
			usbip_conn_finish(s->conns[i]);
	}
}

/* A new TCP peer starts in the operation phase; at most CONNS_MAX at once. */
static void accept_conn(struct sim *s, int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int slot = -1;

	if (fd < 0)
		return;
	for (int i = 0; i < CONNS_MAX && slot < 0; i++)
		if (!s->conns[i])
			slot = i;
	if (slot < 0) {
		sim_log("too many USB/IP connections: one refused");
		close(fd);
		return;
	}
	s->conns[slot] = usbip_conn_new(fd, 0, &bridge_usbip_ops, s->bridge);
	if (!s->conns[slot])
		close(fd);
}

/*
 * The loop. Each turn: start due frames, clock the board for a batch if it can make
 * progress, hand its output to waiting IN URBs, then poll the sockets (without waiting
 * while the board has work). @until_empty: return when the last connection closes.
 */
static int run_loop(struct sim *s, int listen_fd, int until_empty)
{
	for (;;) {
		struct pollfd pfd[CONNS_MAX + 2];
		int idx[CONNS_MAX];
		int n = 0, timeout = -1, busy;
		uint64_t now = now_ns();
		int64_t due;

		bridge_tick(s->bridge, now);
		busy = bridge_has_work(s->bridge);
		if (busy) {
			bridge_run(s->bridge, s->opt.batch_cycles);
			service_conns(s);
			bridge_tick(s->bridge, now_ns());
		}
		if (reap_conns(s) == 0 && until_empty)
			return 0;
		busy = bridge_has_work(s->bridge);
		due = bridge_next_due_ns(s->bridge, now_ns());
		if (busy)
			timeout = 0;
		else if (due >= 0)
			timeout = (int)((due + 999999) / 1000000);

		pfd[n].fd = s->stop_pipe[0];
		pfd[n++].events = POLLIN;
		if (listen_fd >= 0) {
			pfd[n].fd = listen_fd;
			pfd[n++].events = POLLIN;
		}
		for (int i = 0; i < CONNS_MAX; i++) {
			idx[i] = -1;
			if (!s->conns[i])
				continue;
			idx[i] = n;
			pfd[n].fd = usbip_conn_fd(s->conns[i]);
			pfd[n++].events = usbip_conn_events(s->conns[i]);
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			sim_log("poll: %s", strerror(errno));
			return -1;
		}
		if (pfd[0].revents)
			return 0;
		if (listen_fd >= 0 && (pfd[1].revents & POLLIN))
			accept_conn(s, listen_fd);
		for (int i = 0; i < CONNS_MAX; i++) {
			struct usbip_conn *c = s->conns[i];
			short re;

			if (idx[i] < 0 || !c)
				continue;
			re = pfd[idx[i]].revents;
			if (re & (POLLIN | POLLHUP | POLLERR)) {
				if (usbip_conn_on_readable(c) < 0)
					usbip_conn_finish(c);
			} else if (re & POLLOUT) {
				if (usbip_conn_on_writable(c) < 0)
					usbip_conn_finish(c);
			}
		}
	}
}

/* The socket is already connected to a host: straight to the URB phase. */
int sim_serve_fd(struct sim *s, int fd)
{
	if (s->opt.hostile.enabled) {
		int inner = hostile_wrap(fd, &s->opt.hostile);

		if (inner < 0) {
			close(fd);
			return -1;
		}
		fd = inner;
	}
	s->conns[0] = usbip_conn_new(fd, 1, &bridge_usbip_ops, s->bridge);
	if (!s->conns[0]) {
		sim_log("cannot serve fd %d (not a socket, or device busy)", fd);
		close(fd);
		return -1;
	}
	return run_loop(s, -1, 1);
}

/* usbipd-style: many peers may list, one imports. */
int sim_serve_tcp(struct sim *s, int listen_fd)
{
	return run_loop(s, listen_fd, 0);
}

/* ---------------------------------------------------------------------------------
 * vhci-hcd.
 */

/* The vhci_hcd.0 directory: platform bus on 6.1, faux bus on newer kernels. */
static const char *find_vhci_dir(char *buf, size_t len)
{
	static const char *const pats[] = {
		"/sys/devices/platform/vhci_hcd.*/attach",
		"/sys/devices/faux/vhci_hcd.*/attach",
	};

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		glob_t g;

		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(buf, len, "%s", g.gl_pathv[0]);
			globfree(&g);
			*strrchr(buf, '/') = '\0';
			return buf;
		}
		globfree(&g);
	}
	return NULL;
}

/*
 * Scan the vhci status files ("status", "status.1", ...) for ports. Calls @fn for each
 * line "hs|ss PORT STA ... BUSID"; stops when @fn returns non-zero and returns that.
 */
static int scan_vhci_status(const char *dir, int (*fn)(void *arg, const char *hub, int port,
						       int sta, const char *busid),
			    void *arg)
{
	for (int i = 0;; i++) {
		char path[320], line[256];
		FILE *f;
		int r = 0;

		if (i == 0)
			snprintf(path, sizeof(path), "%s/status", dir);
		else
			snprintf(path, sizeof(path), "%s/status.%d", dir, i);
		f = fopen(path, "r");
		if (!f)
			return 0;
		while (!r && fgets(line, sizeof(line), f)) {
			char hub[8], busid[64], dev[32], sock[32];
			int port, sta, spd;

			if (sscanf(line, "%7s %d %d %d %31s %31s %63s", hub, &port, &sta, &spd,
				   dev, sock, busid) == 7)
				r = fn(arg, hub, port, sta, busid);
		}
		fclose(f);
		if (r)
			return r;
	}
}

struct port_pick {
	const char *hub;	/* "hs" or "ss" */
	int skip_below;		/* ports already tried */
	int port;
};

#define VDEV_ST_NULL 4	/* vhci: port free */

static int pick_port(void *arg, const char *hub, int port, int sta, const char *busid)
{
	struct port_pick *pp = arg;

	(void)busid;
	if (strcmp(hub, pp->hub) || sta != VDEV_ST_NULL || port < pp->skip_below)
		return 0;
	pp->port = port;
	return 1;
}

/* The status line of our port names the busid the kernel gave the board. */
static int find_busid(void *arg, const char *hub, int port, int sta, const char *busid)
{
	struct sim *s = arg;

	(void)hub;
	(void)sta;
	if (port != s->vhci_port)
		return 0;
	printf("dsr-sim: busid %s\n", busid);
	fflush(stdout);
	return 1;
}

/* On SET_CONFIGURATION in vhci mode: say which busid the kernel gave the board. */
static void report_busid(void *arg)
{
	struct sim *s = arg;

	if (s->vhci_port >= 0 && s->vhci_dir)
		scan_vhci_status(s->vhci_dir, find_busid, s);
}

/* Attach one end of a socketpair to a free vhci port of our speed and serve the other. */
int sim_serve_vhci(struct sim *s)
{
	struct port_pick pp = { s->opt.speed == SIM_SPEED_SUPER ? "ss" : "hs", 0, -1 };
	const char *dir = find_vhci_dir(s->vhci_dir_buf, sizeof(s->vhci_dir_buf));
	int sv[2];
	char path[320];

	if (!dir) {
		sim_log("no vhci_hcd attach file under /sys/devices/{platform,faux}: is the "
			"vhci-hcd module loaded?");
		return -1;
	}
	s->vhci_dir = dir;
	snprintf(path, sizeof(path), "%s/attach", dir);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		sim_log("socketpair: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		char msg[64];
		int fd, len, r;

		pp.port = -1;
		if (!scan_vhci_status(dir, pick_port, &pp)) {
			sim_log("vhci-hcd has no free %s port", pp.hub);
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		len = snprintf(msg, sizeof(msg), "%d %d %u %d", pp.port, sv[1],
			       (1u << 16) | 2u,
			       s->opt.speed == SIM_SPEED_SUPER ? USBIP_SPEED_SUPER : USBIP_SPEED_HIGH);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			sim_log("%s: %s", path, strerror(errno));
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		r = (int)write(fd, msg, (size_t)len);
		if (r < 0 && (errno == EBUSY || errno == EINVAL)) {
			/* Taken between our look and our write: try the next port. */
			close(fd);
			pp.skip_below = pp.port + 1;
			continue;
		}
		close(fd);
		if (r < 0) {
			sim_log("vhci attach \"%s\": %s", msg, strerror(errno));
			close(sv[0]);
			close(sv[1]);
			return -1;
		}
		break;
	}
	close(sv[1]);	/* the kernel holds its own reference */
	s->vhci_port = pp.port;
	printf("dsr-sim: attached to vhci port %d (%s speed), serial %s\n", pp.port,
	       s->opt.speed == SIM_SPEED_SUPER ? "super" : "high", s->opt.serial);
	fflush(stdout);
	return sim_serve_fd(s, sv[0]);
}

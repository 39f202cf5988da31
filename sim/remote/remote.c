/*
 * remote.c - dsr-sim-remote: a simulated board that runs on another machine, plugged
 * into this machine's vhci-hcd over TCP.
 *
 * In the QEMU test machine the Verilated board is slow (software emulation of every
 * instruction). This program takes dsr-sim's place there: it sends its command line
 * (and the files it names) to sim/remote/simhost.py on the host, which starts the real
 * dsr-sim at native speed on a TCP connection; this program hands its end of that
 * connection to vhci-hcd, exactly as `dsr-sim --vhci` hands over a socketpair, and
 * stays alive as the board's stand-in: SIGTERM unplugs the board, and it exits with
 * the host dsr-sim's exit status when that ends.
 *
 * Where the host is: DSR_SIM_HOST=ADDR:PORT, else dsr_sim_host=ADDR:PORT on the kernel
 * command line. Without either, with DSR_SIM_LOCAL=1 or without --vhci, it runs the
 * local simulator (DSR_SIM_LOCAL_PATH, default /usr/bin/dsr-sim-local) with the same
 * arguments. DSR_SIM_VARIANT=NAME asks for another build of the board (e.g. "max", the
 * 4096x4096 frame store): simhost.py --variant NAME=PATH, or dsr-sim-local-NAME here.
 * The protocol with simhost.py is in simhost.py's docstring.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCAL_SIM	"/usr/bin/dsr-sim-local"
#define MSG_MAX		(64u << 20)	/* largest message: a --live image */
#define VDEV_ST_NULL	4		/* vhci status: port free */
#define DEVID		((1u << 16) | 2u)	/* bus 1, device 2, as dsr-sim --vhci */
#define SPEED_HIGH	3
#define SPEED_SUPER	5

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("dsr-sim-remote: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------------ messages */

/* Write all of @len bytes (blocking socket). */
static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One message: "TYPE LEN\n" then LEN bytes. */
static int send_msg(int fd, const char *type, const void *data, size_t len)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "%s %zu\n", type, len);

	return write_all(fd, head, (size_t)n) || write_all(fd, data, len) ? -1 : 0;
}

/* Read exactly @len bytes; -1 on EOF or error (EINTR retried). */
static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next message: its type (≤ 15 chars) and a malloc'd, NUL-terminated body. */
static int recv_msg(int fd, char type[16], char **body, size_t *len)
{
	char head[64];
	size_t i = 0;
	unsigned long long n;

	for (;;) {
		if (i + 1 >= sizeof(head) || read_all(fd, head + i, 1))
			return -1;
		if (head[i] == '\n')
			break;
		i++;
	}
	head[i] = '\0';
	if (sscanf(head, "%15s %llu", type, &n) != 2 || n > MSG_MAX)
		return -1;
	*body = malloc((size_t)n + 1);
	if (!*body || read_all(fd, *body, (size_t)n)) {
		free(*body);
		return -1;
	}
	(*body)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* ------------------------------------------------------------------ the host */

/* ADDR:PORT from the environment or the kernel command line; 0 if none. */
static int host_address(struct sockaddr_in *a)
{
	const char *env = getenv("DSR_SIM_HOST");
	char buf[4096], spec[64] = "";
	FILE *f;

	if (env) {
		snprintf(spec, sizeof(spec), "%s", env);
	} else if ((f = fopen("/proc/cmdline", "r"))) {
		if (fgets(buf, sizeof(buf), f)) {
			const char *p = strstr(buf, "dsr_sim_host=");

			if (p)
				sscanf(p + strlen("dsr_sim_host="), "%63[0-9.:]", spec);
		}
		fclose(f);
	}
	if (!spec[0])
		return 0;
	char *colon = strrchr(spec, ':');
	int port = colon ? atoi(colon + 1) : 0;

	if (!colon || port <= 0 || port > 65535)
		die("dsr_sim_host=%s: expected ADDR:PORT", spec);
	*colon = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, spec, &a->sin_addr) != 1)
		die("dsr_sim_host: '%s' is not an IPv4 address", spec);
	return 1;
}

/* A TCP connection to the host, without Nagle (URBs are small and latency-bound). */
static int connect_host(const struct sockaddr_in *a)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0)
		die("cannot reach the board host %s:%u: %s", inet_ntoa(a->sin_addr),
		    ntohs(a->sin_port), strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* A file named on the command line travels with it (the host cannot see ours). */
static int send_arg(int fd, const char *arg)
{
	struct stat st;
	char *data;
	FILE *f;
	int rc;

	if (stat(arg, &st) || !S_ISREG(st.st_mode))
		return send_msg(fd, "ARG", arg, strlen(arg));
	if ((size_t)st.st_size > MSG_MAX)
		die("%s: larger than %u bytes", arg, MSG_MAX);
	data = malloc((size_t)st.st_size + 1);
	f = fopen(arg, "rb");
	if (!data || !f || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		die("%s: cannot read: %s", arg, strerror(errno));
	fclose(f);
	/* "FILE" carries the name (for its extension) and the contents, NUL-separated */
	{
		const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
		size_t bl = strlen(base) + 1;
		char *msg = malloc(bl + (size_t)st.st_size);

		if (!msg)
			die("out of memory");
		memcpy(msg, base, bl);
		memcpy(msg + bl, data, (size_t)st.st_size);
		rc = send_msg(fd, "FILE", msg, bl + (size_t)st.st_size);
		free(msg);
	}
	free(data);
	return rc;
}

/* ------------------------------------------------------------------ vhci-hcd */

static char vhci_dir[256];

/* The vhci_hcd.0 directory (platform bus on 6.1, faux bus later). */
static void find_vhci(void)
{
	static const char *const pats[] = { "/sys/devices/platform/vhci_hcd.*/attach",
					     "/sys/devices/faux/vhci_hcd.*/attach" };

	for (size_t i = 0; i < 2; i++) {
		glob_t g;

		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(vhci_dir, sizeof(vhci_dir), "%s", g.gl_pathv[0]);
			*strrchr(vhci_dir, '/') = '\0';
			globfree(&g);
			return;
		}
		globfree(&g);
	}
	die("no vhci_hcd attach file under /sys/devices/{platform,faux}: is vhci-hcd loaded?");
}

/*
 * The first port of hub @hub ("hs"/"ss") at or above @from that is free (@busid NULL),
 * or the busid on port @from (@busid set); -1 if none.
 */
static int scan_status(const char *hub, int from, char *busid, size_t blen)
{
	for (int i = 0;; i++) {
		char path[320], line[256];
		FILE *f;

		if (i == 0)
			snprintf(path, sizeof(path), "%s/status", vhci_dir);
		else
			snprintf(path, sizeof(path), "%s/status.%d", vhci_dir, i);
		f = fopen(path, "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f)) {
			char h[8], bid[64], dev[32], sock[32];
			int port, sta, spd;

			if (sscanf(line, "%7s %d %d %d %31s %31s %63s", h, &port, &sta, &spd, dev,
				   sock, bid) != 7)
				continue;
			if (busid && port == from) {
				fclose(f);
				snprintf(busid, blen, "%s", bid);
				return port;
			}
			if (!busid && !strcmp(h, hub) && sta == VDEV_ST_NULL && port >= from) {
				fclose(f);
				return port;
			}
		}
		fclose(f);
	}
}

/* Give @sock to a free port of our speed; the port number. */
static int attach(int sock, int super)
{
	char path[320], msg[64];
	int from = 0;

	snprintf(path, sizeof(path), "%s/attach", vhci_dir);
	for (;;) {
		int port = scan_status(super ? "ss" : "hs", from, NULL, 0);
		int fd, len, r;

		if (port < 0)
			die("vhci-hcd has no free %s port", super ? "ss" : "hs");
		len = snprintf(msg, sizeof(msg), "%d %d %u %d", port, sock, DEVID,
			       super ? SPEED_SUPER : SPEED_HIGH);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s: %s", path, strerror(errno));
		r = (int)write(fd, msg, (size_t)len);
		close(fd);
		if (r >= 0)
			return port;
		if (errno != EBUSY && errno != EINVAL)
			die("vhci attach \"%s\": %s", msg, strerror(errno));
		from = port + 1;	/* taken since we looked */
	}
}

/* Unplug our port (the host side is gone or did not answer). */
static void detach(int port)
{
	char path[320], msg[16];
	int fd, len = snprintf(msg, sizeof(msg), "%d", port);

	snprintf(path, sizeof(path), "%s/detach", vhci_dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, msg, (size_t)len) < 0)
			fprintf(stderr, "dsr-sim-remote: detach port %d: %s\n", port,
				strerror(errno));
		close(fd);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ main */

/* Run the local simulator instead (no host, or not a vhci board). */
static void run_local(char **argv)
{
	const char *path = getenv("DSR_SIM_LOCAL_PATH"), *variant = getenv("DSR_SIM_VARIANT");
	char buf[256];

	if (!path && variant && *variant) {
		snprintf(buf, sizeof(buf), "%s-%s", LOCAL_SIM, variant);
		path = buf;
	}
	if (!path)
		path = LOCAL_SIM;
	execv(path, argv);
	die("%s: %s", path, strerror(errno));
}

/* Send the request; returns the control socket once the host's dsr-sim is starting. */
static int request_board(const struct sockaddr_in *host, int argc, char **argv, int *data)
{
	int ctl = connect_host(host);
	char type[16], *body;
	size_t len;

	const char *variant = getenv("DSR_SIM_VARIANT");

	if (send_msg(ctl, "HELLO", "dsr-sim-remote 1", 16) ||
	    (variant && *variant && send_msg(ctl, "VARIANT", variant, strlen(variant))))
		die("lost the board host while sending the request");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--vhci") && send_arg(ctl, argv[i]))
			die("lost the board host while sending the request");
	if (send_msg(ctl, "GO", "", 0) || recv_msg(ctl, type, &body, &len))
		die("the board host closed the connection");
	if (!strcmp(type, "EXIT")) {
		exit(atoi(body));
	}
	if (strcmp(type, "TOKEN"))
		die("the board host said %s %s", type, body);
	*data = connect_host(host);
	if (send_msg(*data, "DATA", body, len))
		die("lost the board host");
	free(body);
	return ctl;
}

/* Until PID: output of the starting simulator goes to stderr; an early EXIT ends us. */
static void await_start(int ctl)
{
	for (;;) {
		char type[16], *body;
		size_t len;

		if (recv_msg(ctl, type, &body, &len))
			die("the board host closed the connection before the board started");
		if (!strcmp(type, "PID")) {
			free(body);
			return;
		}
		if (!strcmp(type, "OUT")) {
			write_all(2, body, len);
		} else if (!strcmp(type, "EXIT")) {
			int rc = atoi(body);

			exit(rc);
		}
		free(body);
	}
}

/*
 * The board is plugged in: relay the host simulator's output, report the busid the
 * kernel gives it, forward SIGTERM as STOP; exit with the simulator's status.
 */
static int serve(int ctl, int port)
{
	double t_busid = now_s() + 10, t_stop = 0;
	int have_busid = 0;

	for (;;) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		char type[16], *body;
		size_t len;

		if (stop_requested && !t_stop) {
			t_stop = now_s() + 5;
			send_msg(ctl, "STOP", "", 0);
		}
		if (t_stop && now_s() > t_stop) {
			detach(port);
			die("the host simulator did not stop within 5 s: port %d detached", port);
		}
		if (!have_busid && now_s() < t_busid) {
			char busid[64];

			if (scan_status(NULL, port, busid, sizeof(busid)) == port &&
			    strcmp(busid, "0-0")) {
				printf("dsr-sim: busid %s\n", busid);
				fflush(stdout);
				have_busid = 1;
			}
		}
		if (poll(&p, 1, have_busid || t_stop ? 200 : 50) <= 0)
			continue;
		if (recv_msg(ctl, type, &body, &len)) {
			detach(port);
			die("lost the board host: port %d detached", port);
		}
		if (!strcmp(type, "OUT")) {
			write_all(2, body, len);
		} else if (!strcmp(type, "EXIT")) {
			return atoi(body);
		}
		free(body);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in host;
	struct sigaction sa;
	const char *serial = "DSRSIM0001";
	int vhci = 0, super = 0, ctl, data, port;

	for (int i = 1; i < argc; i++) {
		vhci |= !strcmp(argv[i], "--vhci");
		if (!strcmp(argv[i], "--speed") && i + 1 < argc)
			super = !strcmp(argv[i + 1], "super");
		if (!strcmp(argv[i], "--serial") && i + 1 < argc)
			serial = argv[i + 1];
	}
	if (!vhci || (getenv("DSR_SIM_LOCAL") && strcmp(getenv("DSR_SIM_LOCAL"), "0")) ||
	    !host_address(&host))
		run_local(argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	find_vhci();
	ctl = request_board(&host, argc, argv, &data);
	await_start(ctl);
	port = attach(data, super);
	close(data);	/* vhci-hcd holds its own reference */
	printf("dsr-sim: attached to vhci port %d (%s speed), serial %s (board on %s:%u)\n",
	       port, super ? "super" : "high", serial, inet_ntoa(host.sin_addr),
	       ntohs(host.sin_port));
	fflush(stdout);
	return serve(ctl, port);
}

/*
 * main.c - dsr-sim: the simulated DSR board served as a USB/IP device.
 *
 * Options in sim/README.md and `dsr-sim --help`. This file only parses them and calls
 * sim.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dsr/error.h"
#include "dsr/image.h"
#include "log.h"
#include "sim.h"

static const char usage[] =
	"usage: dsr-sim [options]\n"
	"Serve the Verilated DSR board as a USB/IP device.\n"
	"\n"
	"Connection (one of):\n"
	"  --port N            TCP server on 127.0.0.1:N (default 3240): usbip list/attach\n"
	"  --fd N              serve the already-connected socket N (no OP_* phase)\n"
	"  --vhci              attach to the local vhci-hcd through a socketpair (root);\n"
	"                      prints the port and busid, exits when detached or on SIGTERM\n"
	"Device:\n"
	"  --speed high|super  descriptors and vhci port kind (default high)\n"
	"  --serial S          USB serial string, max 31 chars (default DSRSIM0001)\n"
	"  --busid B           busid offered by OP_REP_DEVLIST (default 1-1)\n"
	"  --fifo-kib N        bulk IN FIFO size in KiB (default 256)\n"
	"Playback source (used while streaming is on, DSR_REQ_STREAM):\n"
	"  --live FILE...      play these images (PNG/PGM/TIFF/DICOM) in a loop\n"
	"  --phantom           play the phantom follow-up (known transform and lesion)\n"
	"  --phantom-seed N    phantom seed (default 1)\n"
	"  --fps F             source frame rate, 0 = as fast as the board goes (default 0)\n"
	"  --dump-phantom DIR  write DIR/reference.png and DIR/live.png at the board's\n"
	"                      default size and exit\n"
	"Faults (repeatable): --fault MODE[,every=N]\n"
	"  corrupt-header wrong-length truncated bad-crc stall disconnect stall-stuck\n"
	"  io-error\n"
	"Hostile device (--fd and --vhci only): --hostile seed=N[,frames=P][,control=P]\n"
	"                      [,descriptors=P][,fatal=P]  mutate what the board sends\n"
	"  --replay            bulk IN at the host's speed: the board's first frame repeated\n"
	"                      (sequence numbers counting on), for throughput measurements\n"
	"Other:\n"
	"  --batch N           clocks per event-loop turn (default 4096)\n"
	"  --quiet             no log lines\n";

static struct sim *running;
static volatile sig_atomic_t stop_early;	/* a signal before the loop existed */

/* SIGTERM/SIGINT: ask the loop to stop; it closes the connection cleanly. A signal
 * while the board is still being built (the DRAM build takes a while) is remembered. */
static void on_signal(int sig)
{
	(void)sig;
	if (running)
		sim_stop(running);
	else
		stop_early = 1;
}

/* A whole decimal (or 0x) number no larger than @max, or -1. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Listen on 127.0.0.1 only: the device is for this machine's usbip client. */
static int listen_tcp(int port)
{
	struct sockaddr_in a;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* --dump-phantom: the frames a host needs to check what the phantom source plays. */
static int dump_phantom(struct sim *s, const struct sim_options *o, const char *dir)
{
	uint32_t w, h, bits;
	char path[4096];

	if (board_reg_read(sim_board(s), DSR_REG_WIDTH, &w) < 0 ||
	    board_reg_read(sim_board(s), DSR_REG_HEIGHT, &h) < 0 ||
	    board_reg_read(sim_board(s), DSR_REG_PIXEL_BITS, &bits) < 0)
		return -1;
	for (int live = 0; live < 2; live++) {
		struct dsr_image *im = source_phantom_render(o->phantom_seed, w, h, bits, live);

		snprintf(path, sizeof(path), "%s/%s", dir, live ? "live.png" : "reference.png");
		if (!im || dsr_image_save(im, path) < 0) {
			sim_log("%s: %s", path, dsr_error());
			dsr_image_free(im);
			return -1;
		}
		dsr_image_free(im);
		printf("%s %ux%u %u bits\n", path, w, h, bits);
	}
	return 0;
}

enum { OPT_PORT = 256, OPT_FD, OPT_VHCI, OPT_SPEED, OPT_SERIAL, OPT_BUSID, OPT_FIFO,
       OPT_LIVE, OPT_PHANTOM, OPT_SEED, OPT_FPS, OPT_DUMP, OPT_FAULT, OPT_BATCH, OPT_QUIET,
       OPT_HELP, OPT_HOSTILE, OPT_REPLAY };

/* Parse options, build the simulator, serve in the chosen mode, print a summary. */
int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, OPT_PORT },
		{ "fd", required_argument, NULL, OPT_FD },
		{ "vhci", no_argument, NULL, OPT_VHCI },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "busid", required_argument, NULL, OPT_BUSID },
		{ "fifo-kib", required_argument, NULL, OPT_FIFO },
		{ "live", required_argument, NULL, OPT_LIVE },
		{ "phantom", no_argument, NULL, OPT_PHANTOM },
		{ "phantom-seed", required_argument, NULL, OPT_SEED },
		{ "fps", required_argument, NULL, OPT_FPS },
		{ "dump-phantom", required_argument, NULL, OPT_DUMP },
		{ "fault", required_argument, NULL, OPT_FAULT },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "hostile", required_argument, NULL, OPT_HOSTILE },
		{ "replay", no_argument, NULL, OPT_REPLAY },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_options o;
	char **live = calloc((size_t)argc, sizeof(char *));
	uint64_t port = 3240, fd = 0, v;
	int use_fd = 0, use_vhci = 0, ret, opt, li = 0;
	const char *dump = NULL, *why = "";
	struct sigaction sa;
	char *end;

	sim_options_default(&o);
	if (!live)
		return 1;
	while ((opt = getopt_long(argc, argv, "+", opts, &li)) != -1) {
		switch (opt) {
		case OPT_PORT:
			if (parse_u64(optarg, 65535, &port) < 0 || !port)
				goto bad;
			break;
		case OPT_FD:
			if (parse_u64(optarg, 1 << 20, &fd) < 0)
				goto bad;
			use_fd = 1;
			break;
		case OPT_VHCI:
			use_vhci = 1;
			break;
		case OPT_SPEED:
			if (strcmp(optarg, "high") == 0)
				o.speed = SIM_SPEED_HIGH;
			else if (strcmp(optarg, "super") == 0)
				o.speed = SIM_SPEED_SUPER;
			else
				goto bad;
			break;
		case OPT_SERIAL:
			if (!*optarg || strlen(optarg) > 31)
				goto bad;
			o.serial = optarg;
			break;
		case OPT_BUSID:
			if (!*optarg || strlen(optarg) > 31)
				goto bad;
			o.busid = optarg;
			break;
		case OPT_FIFO:
			if (parse_u64(optarg, 1 << 20, &v) < 0 || v < 4)
				goto bad;
			o.fifo_bytes = (size_t)v << 10;
			break;
		case OPT_LIVE:
			live[o.nlive++] = optarg;
			while (optind < argc && argv[optind][0] != '-')
				live[o.nlive++] = argv[optind++];
			break;
		case OPT_PHANTOM:
			o.phantom = 1;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, UINT64_MAX, &o.phantom_seed) < 0)
				goto bad;
			break;
		case OPT_FPS:
			o.fps = strtod(optarg, &end);
			if (*end || end == optarg || !(o.fps >= 0 && o.fps <= 100000))
				goto bad;
			break;
		case OPT_DUMP:
			dump = optarg;
			break;
		case OPT_FAULT:
			if (fault_parse(&o.faults, optarg, &why) < 0) {
				fprintf(stderr, "dsr-sim: --fault %s: %s\n", optarg, why);
				return 2;
			}
			break;
		case OPT_BATCH:
			if (parse_u64(optarg, 1u << 30, &o.batch_cycles) < 0 || !o.batch_cycles)
				goto bad;
			break;
		case OPT_HOSTILE: {
			int replay = o.hostile.replay;

			if (hostile_parse(&o.hostile, optarg, &why) < 0) {
				fprintf(stderr, "dsr-sim: --hostile %s: %s\n", optarg, why);
				return 2;
			}
			o.hostile.replay = replay;
			break;
		}
		case OPT_REPLAY:
			if (!o.hostile.enabled) {
				o.hostile.frames = o.hostile.control = 0;
				o.hostile.enabled = 1;
			}
			o.hostile.replay = 1;
			break;
		case OPT_QUIET:
			sim_log_enable(0);
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc || use_fd + use_vhci > 1 || (o.phantom && o.nlive) ||
	    (o.hostile.enabled && !use_fd && !use_vhci)) {
		fputs("dsr-sim: conflicting or extra arguments\n", stderr);
		fputs(usage, stderr);
		return 2;
	}
	o.live = live;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	running = sim_new(&o);
	if (!running)
		return 1;
	if (stop_early) {
		sim_free(running);
		free(live);
		return 0;
	}
	if (dump) {
		ret = dump_phantom(running, &o, dump);
		sim_free(running);
		free(live);
		return ret < 0 ? 1 : 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (use_vhci) {
		ret = sim_serve_vhci(running);
	} else if (use_fd) {
		ret = sim_serve_fd(running, (int)fd);
	} else {
		int lfd = listen_tcp((int)port);

		if (lfd < 0) {
			sim_log("cannot listen on 127.0.0.1:%d: %s", (int)port, strerror(errno));
			ret = -1;
		} else {
			sim_log("serving busid %s on 127.0.0.1:%d", o.busid, (int)port);
			ret = sim_serve_tcp(running, lfd);
			close(lfd);
		}
	}
	{
		const struct bridge_stats *st = bridge_stats(sim_bridge(running));

		sim_log("done: %llu frames to host, %llu host frames (%llu references, %llu "
			"refused), %llu source frames, %llu dropped, %llu bytes to IN URBs",
			(unsigned long long)st->frames_forwarded,
			(unsigned long long)st->host_frames,
			(unsigned long long)st->host_references,
			(unsigned long long)st->host_frames_refused,
			(unsigned long long)st->source_frames,
			(unsigned long long)st->source_dropped,
			(unsigned long long)st->bytes_in_urbs);
	}
	sim_free(running);
	running = NULL;
	if (o.hostile.enabled)
		hostile_finish();
	free(live);
	return ret < 0 ? 1 : 0;
bad:
	fprintf(stderr, "dsr-sim: bad value for --%s: %s\n", opts[li].name, optarg);
	return 2;
}

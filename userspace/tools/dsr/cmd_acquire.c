/*
 * cmd_acquire.c - `dsr acquire -n N -o DIR`: stream N output frames from the board into
 * DIR, one PNG per frame and one JSON line per header in DIR/frames.jsonl.
 *
 * In playback (no sensor, or the simulated board) the live input can come from the host:
 * --live FILE... sends those frames over bulk OUT, round robin, a few ahead of the
 * frames being received. With --check-model REF every received frame is compared bit
 * for bit with the C reference model (dsr_model_frame) run on REF, the live frame that
 * made it, and the parameter set the board holds, which must be the generation the
 * frame's header names: the end-to-end test of board, transport and model.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/alignment.h"
#include "dsr/error.h"
#include "dsr/image.h"
#include "dsr/model.h"

#define MAX_LIVE	16
#define LIVE_AHEAD	2	/* live frames sent before their output is received */

struct acquire_opts {
	struct board_opt bo;
	long frames;
	const char *outdir;
	int timeout_ms;
	const char *live_path[MAX_LIVE];
	int nlive;
	int played;		/* live_path[0] is what the board's own source plays */
	const char *check_ref;
	const char *params_path;	/* the alignment the board holds (its LUT) */
	int no_png;
	int max_errors;		/* stream errors tolerated (stall recovered, ...) */
};

/* What the model check needs: the board's parameter set and its generation, the
 * reference, the live frames, and an output buffer. */
struct model_check {
	struct dsr_params params;
	uint32_t generation;
	uint16_t lut[DSR_LUT_SIZE];
	struct dsr_image *ref;
	uint16_t *expected;
	long checked, mismatched;
};

static void acquire_usage(FILE *f)
{
	fprintf(f, "usage: dsr acquire -n N -o DIR [options]\n"
		   "Streams N frames from the board into DIR: frame-SEQUENCE.png (the frame's\n"
		   "pixel depth) and frames.jsonl (one JSON object per frame header).\n\n"
		   "  -n, --frames N         frames to acquire (1..1000000)\n"
		   "  -o, --output DIR       where to write (created if missing)\n"
		   "      --live FILE        a live frame to send to the board over bulk OUT for each\n"
		   "                         frame acquired (playback); repeat for several, sent\n"
		   "                         round robin (at most %d)\n"
		   "      --check-model REF  compare every frame bit for bit with the C model run on\n"
		   "                         reference REF, the --live frame that made it and the\n"
		   "                         board's parameters; needs --live\n"
		   "      --played FILE      with --check-model instead of --live: the board's own\n"
		   "                         source (dsr-sim --live FILE) makes every frame from FILE\n"
		   "  -p, --params FILE      with --check-model: the alignment file uploaded (dsr\n"
		   "                         upload), for its LUT (identity otherwise); the board's\n"
		   "                         registers must equal the file's\n"
		   "      --no-png           write only frames.jsonl\n"
		   "      --timeout MS       longest wait for one frame (default 5000)\n"
		   "      --max-errors N     go on after up to N stream errors the transport\n"
		   "                         recovered from, e.g. a stalled endpoint (default 0)\n"
		   BOARD_HELP
		   "  -h, --help             this help\n"
		   "exit status: 0 all frames acquired (and matched), 1 failure or mismatch, 2 usage\n",
		MAX_LIVE);
}

/* Parse the command line; 0, or a DSR_EXIT_* code to return. */
static int acquire_parse(int argc, char **argv, struct acquire_opts *o)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "frames", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "live", required_argument, NULL, 'l' },
		{ "check-model", required_argument, NULL, 'c' },
		{ "params", required_argument, NULL, 'p' },
		{ "played", required_argument, NULL, 'Y' },
		{ "no-png", no_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-errors", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 5000;
	while ((c = getopt_long(argc, argv, "n:o:p:h", longopts, NULL)) != -1) {
		int h = board_opt_handle(&o->bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h)
			continue;
		switch (c) {
		case 'n':
			o->frames = strtol(optarg, &end, 10);
			if (*end || o->frames < 1 || o->frames > 1000000)
				goto bad;
			break;
		case 'o':
			o->outdir = optarg;
			break;
		case 'l':
			if (o->nlive == MAX_LIVE || o->played)
				goto bad;
			o->live_path[o->nlive++] = optarg;
			break;
		case 'c':
			o->check_ref = optarg;
			break;
		case 'p':
			o->params_path = optarg;
			break;
		case 'Y':
			if (o->nlive)
				goto bad;
			o->live_path[o->nlive++] = optarg;
			o->played = 1;
			break;
		case 'P':
			o->no_png = 1;
			break;
		case 't':
			o->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || o->timeout_ms < 1 || o->timeout_ms > 3600000)
				goto bad;
			break;
		case 'E':
			o->max_errors = (int)strtol(optarg, &end, 10);
			if (*end || o->max_errors < 0 || o->max_errors > 1000)
				goto bad;
			break;
		case 'h':
			acquire_usage(stdout);
			return DSR_EXIT_OK + 100;
		default:
			goto bad;
		}
	}
	if (optind != argc || !o->frames || !o->outdir || (o->check_ref && !o->nlive) ||
	    (o->params_path && !o->check_ref))
		goto bad;
	return 0;
bad:
	acquire_usage(stderr);
	return DSR_EXIT_USAGE;
}

/* Live frames from disk, each the size of the board's frames. */
static int load_live(const struct acquire_opts *o, struct dsr_image **live)
{
	for (int i = 0; i < o->nlive; i++) {
		live[i] = dsr_image_load(o->live_path[i]);
		if (!live[i])
			return -1;	/* the loader names the file */
	}
	return 0;
}

/*
 * The LUT of the alignment file the board was given, after checking that the board's
 * registers hold that file's parameter set (else the comparison would be meaningless).
 */
static int file_lut(const char *path, const struct dsr_params *board, uint16_t *lut)
{
	struct dsr_alignment al;
	int rc = -1;

	if (dsr_alignment_load(path, &al))
		goto out;
	if (al.params.width == 0 &&
	    dsr_alignment_for_frame(&al, board->width, board->height, board->pixel_bits))
		goto out;
	if (memcmp(&al.params, board, sizeof(*board))) {
		dsr_seterr("--params %s: the board's registers hold another parameter set "
			   "(upload this file first)", path);
		goto out;
	}
	if (al.lut)
		memcpy(lut, al.lut, DSR_LUT_SIZE * sizeof(*lut));
	rc = 0;
out:
	dsr_alignment_free(&al);
	return rc;
}

/*
 * Prepare the model check: the parameter set in the shadow registers is what the
 * frames will be made with (active now, or from the next frame start if a commit is
 * pending), its generation is what every frame must carry; the reference file and the
 * live frames must have the frame size.
 */
static int check_setup(struct dsr_board *b, const struct acquire_opts *o,
		       struct dsr_image **live, struct model_check *mc)
{
	uint32_t status;

	if (dsr_board_get_params(b, &mc->params) ||
	    dsr_board_reg_read(b, DSR_REG_GENERATION, &mc->generation) ||
	    dsr_board_reg_read(b, DSR_REG_STATUS, &status))
		return -1;
	/* A pending commit (after `dsr upload --no-wait`, or the one a reference upload
	 * leaves behind) applies the shadow set at the next frame start: our first live
	 * frame. Its frames then carry the next generation. */
	if (status & DSR_STATUS_COMMIT_PENDING)
		mc->generation++;
	dsr_lut_identity(mc->lut, mc->params.pixel_bits);
	if (o->params_path && file_lut(o->params_path, &mc->params, mc->lut))
		return -1;
	mc->ref = dsr_image_load(o->check_ref);
	if (!mc->ref)
		return -1;
	if (mc->ref->width != mc->params.width || mc->ref->height != mc->params.height)
		return dsr_seterr("--check-model: reference %ux%u, board frames %ux%u", mc->ref->width,
				  mc->ref->height, mc->params.width, mc->params.height);
	for (int i = 0; i < o->nlive; i++)
		if (live[i]->width != mc->params.width || live[i]->height != mc->params.height)
			return dsr_seterr("--check-model: live %s is %ux%u, board frames %ux%u",
					  o->live_path[i], live[i]->width, live[i]->height,
					  mc->params.width, mc->params.height);
	mc->expected = malloc((size_t)mc->params.width * mc->params.height * sizeof(uint16_t));
	return mc->expected ? 0 : dsr_seterr("out of memory");
}

/* One frame against the model; prints what differs (header field or first pixel). */
static void check_frame(struct model_check *mc, const struct dsr_frame *f,
			const struct dsr_image *live)
{
	const struct dsr_params *p = &mc->params;
	const struct dsr_frame_info *fi = &f->info;
	size_t n = (size_t)p->width * p->height, bad = 0, first = 0;

	mc->checked++;
	if (fi->generation != mc->generation || fi->width != p->width || fi->height != p->height ||
	    (fi->flags & DSR_FLAG_MODE_MASK) != p->mode || fi->pixel_bits != p->pixel_bits) {
		mc->mismatched++;
		printf("MISMATCH frame %u: header generation %u %ux%u mode %u bits %u, expected "
		       "generation %u %ux%u mode %u bits %u\n", fi->sequence, fi->generation,
		       fi->width, fi->height, fi->flags & DSR_FLAG_MODE_MASK, fi->pixel_bits,
		       mc->generation, p->width, p->height, p->mode, p->pixel_bits);
		return;
	}
	dsr_model_frame(p, mc->lut, mc->ref->pixels, live->pixels, mc->expected);
	for (size_t i = 0; i < n; i++)
		if (f->pixels[i] != mc->expected[i] && bad++ == 0)
			first = i;
	if (bad) {
		mc->mismatched++;
		printf("MISMATCH frame %u: %zu of %zu pixels differ from the model; first at (%zu, %zu): "
		       "expected %u, got %u\n", fi->sequence, bad, n, first % p->width,
		       first / p->width, mc->expected[first], f->pixels[first]);
	}
}

/* One header as a JSON object on one line. */
static void write_jsonl(FILE *jf, const struct dsr_frame_info *fi, const char *file)
{
	fprintf(jf, "{\"file\":\"%s\",\"sequence\":%u,\"generation\":%u,\"timestamp\":%" PRIu64
		",\"width\":%u,\"height\":%u,\"pixel_bits\":%u,\"flags\":%u,\"mode\":%u,"
		"\"crc_valid\":%s,\"bad\":%s,\"no_reference\":%s,\"payload_length\":%u,"
		"\"payload_crc\":%u}\n", file, fi->sequence, fi->generation, fi->timestamp,
		fi->width, fi->height, fi->pixel_bits, fi->flags, fi->flags & DSR_FLAG_MODE_MASK,
		fi->flags & DSR_FLAG_CRC_VALID ? "true" : "false",
		fi->flags & DSR_FLAG_BAD ? "true" : "false",
		fi->flags & DSR_FLAG_NO_REFERENCE ? "true" : "false", fi->payload_length,
		fi->payload_crc);
}

/* The frame as a PNG of its own depth. */
static int save_png(const struct dsr_frame *f, const char *path)
{
	struct dsr_image im = {
		.width = f->info.width, .height = f->info.height, .bits = f->info.pixel_bits,
		.pixels = (uint16_t *)f->pixels,
	};

	return dsr_image_save(&im, path);
}

/* Progress on a terminal: a bar that redraws in place. */
static void progress(long done, long total)
{
	int width = 40, fill = (int)(done * width / total);

	fprintf(stderr, "\racquire [%.*s%*s] %ld/%ld", fill,
		"########################################", width - fill, "", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Counter movements between frames as warnings: what was dropped and why. */
static void report_drops(const struct dsr_board_stats *was, const struct dsr_board_stats *now)
{
	if (now->malformed > was->malformed || now->crc_errors > was->crc_errors ||
	    now->dropped > was->dropped || now->overruns > was->overruns)
		fprintf(stderr, "\ndsr acquire: warning: frames lost (malformed %" PRIu64 ", CRC "
			"errors %" PRIu64 ", missing by sequence %" PRIu64 ", overruns %" PRIu64
			" so far): %s\n", now->malformed, now->crc_errors, now->dropped,
			now->overruns, dsr_error());
}

/*
 * Frames the transport lost since it was opened: sequence gaps, or frames it knows it
 * threw away (malformed, CRC) when the gap does not show yet because no later frame
 * came, plus ring overruns.
 */
static long lost_frames(struct dsr_board *b)
{
	struct dsr_board_stats st;
	uint64_t bad;

	if (dsr_board_stats(b, &st))
		return 0;
	bad = st.malformed + st.crc_errors;
	return (long)((st.dropped > bad ? st.dropped : bad) + st.overruns);
}

/* The acquisition loop proper; returns a DSR_EXIT_* code. */
static int acquire_run(struct dsr_board *b, const struct acquire_opts *o,
		       struct dsr_image **live, struct model_check *mc, FILE *jf)
{
	struct dsr_board_stats st, prev = { 0 };
	struct timespec t0;
	long sent = 0, got = 0, lost = 0, errors = 0;
	uint32_t seq_base = 0;
	int tty = isatty(2), rc = DSR_EXIT_OK;
	double secs;

	if (dsr_board_reg_read(b, DSR_REG_FRAMES_OUT, &seq_base) || dsr_board_stream_on(b)) {
		fprintf(stderr, "dsr acquire: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < o->frames) {
		struct dsr_frame f;
		char name[64], path[4096];

		/* Keep LIVE_AHEAD frames in the board's pipeline; frames the transport lost
		 * will never come, so each is replaced. Outputs beyond -n are discarded. */
		while (o->nlive && !o->played && sent - got - lost < LIVE_AHEAD) {
			if (dsr_board_send_live(b, live[sent % o->nlive])) {
				fprintf(stderr, "\ndsr acquire: live frame %ld: %s\n", sent, dsr_error());
				rc = DSR_EXIT_FAIL;
				goto out;
			}
			sent++;
		}
		if (dsr_board_next_frame(b, &f, o->timeout_ms)) {
			/* A lost frame we had not yet counted (the last one sent): replace it. */
			if (o->nlive && !o->played && lost_frames(b) > lost) {
				lost = lost_frames(b);
				continue;
			}
			fprintf(stderr, "\ndsr acquire: frame %ld of %ld: %s\n", got + 1, o->frames,
				dsr_error());
			if (++errors > o->max_errors) {
				rc = DSR_EXIT_FAIL;
				goto out;
			}
			/* A recovered error may have swallowed the frame in progress. */
			lost++;
			continue;
		}
		dsr_board_stats(b, &st);
		report_drops(&prev, &st);
		if (lost_frames(b) > lost)
			lost = lost_frames(b);
		prev = st;
		snprintf(name, sizeof(name), "frame-%06u.png", f.info.sequence);
		snprintf(path, sizeof(path), "%s/%s", o->outdir, name);
		if (!o->no_png && save_png(&f, path)) {
			fprintf(stderr, "\ndsr acquire: %s: %s\n", path, dsr_error());
			rc = DSR_EXIT_FAIL;
			goto out;
		}
		write_jsonl(jf, &f.info, o->no_png ? "" : name);
		if (mc->ref) {
			/* The k-th live frame sent makes the output numbered seq_base + k. */
			uint32_t k = f.info.sequence - seq_base;

			if (o->played) {
				check_frame(mc, &f, live[0]);
			} else if (k >= (uint32_t)sent) {
				mc->checked++;
				mc->mismatched++;
				printf("MISMATCH frame %u: no live frame %u was sent (%ld sent)\n",
				       f.info.sequence, k, sent);
			} else {
				check_frame(mc, &f, live[k % o->nlive]);
			}
		}
		got++;
		if (tty)
			progress(got, o->frames);
	}
out:
	secs = seconds_since(&t0);
	dsr_board_stats(b, &st);
	if (dsr_board_stream_off(b) && rc == DSR_EXIT_OK) {
		fprintf(stderr, "dsr acquire: %s\n", dsr_error());
		rc = DSR_EXIT_FAIL;
	}
	printf("acquired %ld frames, %" PRIu64 " bytes in %.2f s: %.2f MB/s in, %ld live frames sent, "
	       "%ld stream errors\n", got, st.bytes, secs, secs > 0 ? st.bytes / secs / 1e6 : 0.0,
	       sent, errors);
	printf("stats: frames=%" PRIu64 " bytes=%" PRIu64 " dropped=%" PRIu64 " malformed=%" PRIu64
	       " crc_errors=%" PRIu64 " overruns=%" PRIu64 "\n", st.frames, st.bytes, st.dropped,
	       st.malformed, st.crc_errors, st.overruns);
	return rc;
}

int cmd_acquire(int argc, char **argv)
{
	struct acquire_opts o;
	struct dsr_image *live[MAX_LIVE] = { 0 };
	struct model_check mc;
	struct dsr_board *b = NULL;
	char path[4096];
	FILE *jf = NULL;
	int rc = acquire_parse(argc, argv, &o);

	if (rc)
		return rc == DSR_EXIT_OK + 100 ? DSR_EXIT_OK : rc;
	memset(&mc, 0, sizeof(mc));
	rc = DSR_EXIT_FAIL;
	if (mkdir(o.outdir, 0777) && errno != EEXIST) {
		fprintf(stderr, "dsr acquire: %s: %s\n", o.outdir, strerror(errno));
		return DSR_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/frames.jsonl", o.outdir);
	if (load_live(&o, live)) {
		fprintf(stderr, "dsr acquire: %s\n", dsr_error());
		goto out;
	}
	b = board_opt_open(&o.bo, "acquire");
	if (!b)
		goto out;
	if (o.check_ref && check_setup(b, &o, live, &mc)) {
		fprintf(stderr, "dsr acquire: %s\n", dsr_error());
		goto out;
	}
	jf = fopen(path, "w");
	if (!jf) {
		fprintf(stderr, "dsr acquire: %s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = acquire_run(b, &o, live, &mc, jf);
	if (fclose(jf) && rc == DSR_EXIT_OK) {
		fprintf(stderr, "dsr acquire: %s: write failed\n", path);
		rc = DSR_EXIT_FAIL;
	}
	if (o.check_ref) {
		printf("model check: %ld frames compared with dsr_model_frame (generation %u), %ld "
		       "mismatched\n", mc.checked, mc.generation, mc.mismatched);
		if (mc.mismatched || mc.checked < o.frames)
			rc = DSR_EXIT_FAIL;
	}
out:
	dsr_board_close(b);
	for (int i = 0; i < MAX_LIVE; i++)
		dsr_image_free(live[i]);
	dsr_image_free(mc.ref);
	free(mc.expected);
	return rc;
}

/*
 * hostile.c - the hostile-device relay. See hostile.h.
 *
 * The relay keeps the USB/IP stream framed in both directions: it decodes the host's
 * CMD_SUBMIT/CMD_UNLINK (usbip_wire.c) to learn each URB's endpoint, direction, length
 * and setup packet, and cuts the board's byte stream into RET_SUBMIT/RET_UNLINK PDUs
 * (a RET_SUBMIT of an IN URB carries actual_length bytes). Each RET_SUBMIT may then be
 * rewritten: status, actual_length and data. Bulk IN frame boundaries are followed the
 * way the host sees them from the board (a short or zero-length transfer ends a frame),
 * so that a mutation can aim at a header, a trailer or the end of a frame.
 */
#include "hostile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsr/dsr_hw.h"
#include "../log.h"
#include "../usbip/usbip_wire.h"

#define RELAYS_MAX	64
#define MAP_SLOTS	8192u		/* URBs in flight per connection, power of two */
#define BACKLOG_MAX	(8u << 20)	/* unsent bytes before the relay stops reading */
#define DESC_ASK	1024u		/* config descriptors are fetched whole */

/* USB chapter 9 values the relay needs (the bridge keeps its own copy). */
#define DT_DEVICE	1
#define DT_CONFIG	2
#define DT_STRING	3
#define DT_INTERFACE	4
#define DT_ENDPOINT	5
#define DT_SS_EP_COMP	48
#define REQ_GET_DESCRIPTOR 6

/* ------------------------------------------------------------------ options */

/* A probability in [0, 1]. */
static int parse_prob(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

int hostile_parse(struct hostile_config *cfg, const char *spec, const char **why)
{
	char buf[256], *save = NULL, *tok;
	int have_seed = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->frames = 0.5;
	cfg->control = 0.02;
	if (strlen(spec) >= sizeof(buf)) {
		*why = "too long";
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		char *end;

		if (!eq) {
			*why = "expected key=value (seed, frames, control, descriptors, fatal)";
			return -1;
		}
		*eq++ = '\0';
		if (!strcmp(tok, "seed")) {
			errno = 0;
			cfg->seed = strtoull(eq, &end, 0);
			if (errno || end == eq || *end) {
				*why = "seed: expected a whole number";
				return -1;
			}
			have_seed = 1;
		} else if (!strcmp(tok, "frames") || !strcmp(tok, "control") ||
			   !strcmp(tok, "descriptors") || !strcmp(tok, "fatal")) {
			double *p = !strcmp(tok, "frames") ? &cfg->frames :
				    !strcmp(tok, "control") ? &cfg->control :
				    !strcmp(tok, "descriptors") ? &cfg->descriptors : &cfg->fatal;

			if (parse_prob(eq, p) < 0) {
				*why = "probabilities are numbers from 0 to 1";
				return -1;
			}
		} else {
			*why = "unknown key (seed, frames, control, descriptors, fatal)";
			return -1;
		}
	}
	if (!have_seed) {
		*why = "seed=N is required (a run is reproduced by its seed)";
		return -1;
	}
	cfg->enabled = 1;
	return 0;
}

static const char *const kind_names[HK_KINDS] = {
	[HK_HEADER_FIELD] = "header-field", [HK_HEADER_BYTE] = "header-byte",
	[HK_FLAGS] = "flags", [HK_LENGTH] = "length", [HK_TRAILER] = "trailer",
	[HK_PAYLOAD] = "payload", [HK_SHORT] = "short", [HK_NO_SHORT] = "no-short-packet",
	[HK_OVERLONG] = "overlong", [HK_BABBLE] = "babble", [HK_STATUS] = "status",
	[HK_FATAL] = "beyond-urb", [HK_INFO] = "get-info", [HK_REG] = "reg-read",
	[HK_CTRL_STALL] = "ctrl-stall", [HK_DESC_DEVICE] = "desc-device",
	[HK_DESC_DROP_EP] = "desc-missing-ep", [HK_DESC_EXTRA_EP] = "desc-extra-ep",
	[HK_DESC_ODD_MPS] = "desc-odd-maxpacket", [HK_DESC_SECOND_IF] = "desc-second-if",
	[HK_DESC_NO_EPS] = "desc-no-eps", [HK_DESC_EP_KIND] = "desc-ep-kind",
	[HK_DESC_STRING] = "desc-string", [HK_DESC_BYTES] = "desc-bytes",
};

const char *hostile_kind_name(enum hostile_kind k)
{
	return k < HK_KINDS ? kind_names[k] : "?";
}

/* ------------------------------------------------------------------ relay state */

struct buf {
	uint8_t *p;
	size_t off, len, cap;		/* bytes [off, len) are pending */
};

struct urb_info {
	uint32_t seqnum;
	uint8_t used, dir, ep, unlink;
	uint32_t length;		/* what the host's URB holds */
	uint32_t unlink_target;
	uint8_t setup[8];
};

struct relay {
	int host, dev;
	struct hostile_config cfg;
	uint64_t rng;
	struct buf hin, hout, din, dout;
	struct urb_info *map;
	int passthrough;		/* lost the framing: bytes go through unchanged */
	/* bulk IN frame tracking */
	uint64_t frame_off;
	int fkind;			/* planned mutation of this frame, -1 none */
	int fapplied;
	/* this connection's descriptor plan */
	int dkind;			/* HK_DESC_*, -1 none */
	uint64_t dvar;			/* its variant */
	int dapplied, seen_device;
	uint8_t *scratch;
	size_t scratch_cap;
	/* --replay */
	int rp_state;			/* RP_* */
	uint32_t board_pending;		/* bulk IN URBs the board still holds */
	struct buf rec;			/* the frame being recorded / replayed */
	size_t rp_pos;			/* bytes of the replayed frame already sent */
	int rp_zlp;			/* the last frame filled its URB exactly: ZLP next */
	int rp_took;			/* replay_takes() kept the PDU */
	uint32_t rp_seq;
	struct held_urb { uint32_t seqnum, length; int32_t npackets; } *held;
	size_t nheld, held_cap;
	struct hostile_stats st;
	pthread_t thread;
};

enum { RP_PASS, RP_CAPTURED, RP_REPLAY };

static pthread_mutex_t relays_lock = PTHREAD_MUTEX_INITIALIZER;
static struct relay *relays[RELAYS_MAX];
static int nrelays;
static struct hostile_stats totals;

/* splitmix64: small, fast, and every seed gives a good stream. */
static uint64_t rnd(struct relay *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(struct relay *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static int chance(struct relay *r, double p)
{
	return p > 0 && (double)(rnd(r) >> 11) * 0x1.0p-53 < p;
}

/* Values that sit on the edges parsers get wrong. */
static uint32_t interesting(struct relay *r)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
				      0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu, 64, 4095,
				      4096, 4097, 8192, 16, 17, 15 };

	return chance(r, 0.25) ? (uint32_t)rnd(r) : v[rnd_below(r, sizeof(v) / sizeof(v[0]))];
}

static void put_le(uint8_t *p, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fill_random(struct relay *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(r);
}

static int buf_reserve(struct buf *b, size_t extra)
{
	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + extra <= b->cap)
		return 0;
	if (b->off) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + extra <= b->cap)
			return 0;
	}
	size_t cap = b->cap ? b->cap : 65536;

	while (cap < b->len + extra)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);

	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int buf_append(struct buf *b, const void *data, size_t n)
{
	if (buf_reserve(b, n))
		return -1;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

static size_t buf_pending(const struct buf *b)
{
	return b->len - b->off;
}

static struct urb_info *slot(struct relay *r, uint32_t seqnum)
{
	return &r->map[seqnum & (MAP_SLOTS - 1)];
}

/* ------------------------------------------------------------------ bulk IN frames */

struct field {
	uint8_t off, size;
};

/* The header's fields (dsr_hw.h offsets) a field mutation picks from. */
static const struct field header_fields[] = {
	{ DSR_HDR_OFF_MAGIC, 4 }, { DSR_HDR_OFF_VERSION, 2 }, { DSR_HDR_OFF_HEADER_SIZE, 2 },
	{ DSR_HDR_OFF_WIDTH, 2 }, { DSR_HDR_OFF_HEIGHT, 2 }, { DSR_HDR_OFF_FORMAT, 2 },
	{ DSR_HDR_OFF_PIXEL_BITS, 2 }, { DSR_HDR_OFF_SEQUENCE, 4 },
	{ DSR_HDR_OFF_GENERATION, 4 }, { DSR_HDR_OFF_TIMESTAMP, 8 }, { DSR_HDR_OFF_FLAGS, 4 },
	{ DSR_HDR_OFF_PAYLOAD_LENGTH, 4 }, { DSR_HDR_OFF_PAYLOAD_CRC, 4 }, { 44, 4 },
};

/* Error statuses a host controller reports for a bulk transfer. */
static int32_t bad_status(struct relay *r)
{
	static const int32_t v[] = { -EPIPE, -EPROTO, -EILSEQ, -ETIME, -ECOMM, -ENOSR,
				     -EREMOTEIO, -EOVERFLOW };

	return v[rnd_below(r, sizeof(v) / sizeof(v[0]))];
}

/* A mutation aimed at the frame's first transfer (its header). */
static int mutate_header(struct relay *r, uint8_t *d, uint32_t n)
{
	const struct field *f;
	uint32_t pl;

	if (n < DSR_FRAME_HEADER_SIZE)
		return 0;
	switch (r->fkind) {
	case HK_HEADER_FIELD:
		f = &header_fields[rnd_below(r, sizeof(header_fields) / sizeof(header_fields[0]))];
		put_le(d + f->off, f->size, interesting(r));
		return 1;
	case HK_HEADER_BYTE:
		d[rnd_below(r, DSR_FRAME_HEADER_SIZE)] ^= (uint8_t)(1u << rnd_below(r, 8));
		return 1;
	case HK_FLAGS:
		if (chance(r, 0.5))
			d[DSR_HDR_OFF_FLAGS + rnd_below(r, 4)] ^= (uint8_t)(1u << rnd_below(r, 8));
		else
			put_le(d + DSR_HDR_OFF_FLAGS, 4, interesting(r));
		return 1;
	case HK_LENGTH:
		pl = (uint32_t)(d[DSR_HDR_OFF_PAYLOAD_LENGTH] | d[DSR_HDR_OFF_PAYLOAD_LENGTH + 1] << 8 |
				d[DSR_HDR_OFF_PAYLOAD_LENGTH + 2] << 16 |
				(uint32_t)d[DSR_HDR_OFF_PAYLOAD_LENGTH + 3] << 24);
		switch (rnd_below(r, 6)) {
		case 0: pl += 2; break;
		case 1: pl -= 2; break;
		case 2: pl *= 2; break;
		case 3: pl += 512; break;
		case 4: pl = pl / 2 + 1; break;
		default: pl = interesting(r); break;
		}
		put_le(d + DSR_HDR_OFF_PAYLOAD_LENGTH, 4, pl);
		return 1;
	default:
		return 0;
	}
}

/*
 * One bulk IN completion. @d has room for the URB's whole length; *@actual and
 * *@status may change. Frames end where the board ended them (short transfer).
 */
static void mutate_bulk(struct relay *r, const struct urb_info *u, int32_t *status,
			uint32_t *actual, uint8_t *d)
{
	uint32_t orig = *actual;
	int start = r->frame_off == 0, end;

	if (*status)		/* the board's own error (a --fault stall): leave it */
		return;
	end = orig < u->length;
	if (start && (orig || end)) {
		r->fapplied = 0;
		r->fkind = -1;
		if (chance(r, r->cfg.fatal))
			r->fkind = HK_FATAL;
		else if (chance(r, r->cfg.frames))
			r->fkind = (int)rnd_below(r, HK_FATAL);
	}
	if (r->fkind >= 0 && !r->fapplied) {
		switch (r->fkind) {
		case HK_HEADER_FIELD:
		case HK_HEADER_BYTE:
		case HK_FLAGS:
		case HK_LENGTH:
			r->fapplied = start && mutate_header(r, d, orig);
			break;
		case HK_TRAILER:
			if (end && orig) {
				uint32_t k = orig < DSR_FRAME_TRAILER_SIZE ? orig : DSR_FRAME_TRAILER_SIZE;

				d[orig - 1 - rnd_below(r, k)] ^= (uint8_t)(1u << rnd_below(r, 8));
				r->fapplied = 1;
			}
			break;
		case HK_PAYLOAD:
			if (orig > (start ? DSR_FRAME_HEADER_SIZE : 0u)) {
				uint32_t lo = start ? DSR_FRAME_HEADER_SIZE : 0;

				d[lo + rnd_below(r, orig - lo)] ^= (uint8_t)(1u << rnd_below(r, 8));
				r->fapplied = 1;
			}
			break;
		case HK_SHORT:
			if (orig) {
				*actual = rnd_below(r, orig);
				r->fapplied = 1;
			}
			break;
		case HK_NO_SHORT:
		case HK_OVERLONG:
			if (end) {
				uint32_t room = u->length - orig;

				*actual = r->fkind == HK_NO_SHORT ? u->length : orig + 1 +
					  rnd_below(r, room);
				fill_random(r, d + orig, *actual - orig);
				r->fapplied = 1;
			}
			break;
		case HK_BABBLE:
			*status = -EOVERFLOW;
			r->fapplied = 1;
			break;
		case HK_STATUS:
			*status = bad_status(r);
			*actual = 0;
			r->fapplied = 1;
			break;
		case HK_FATAL:
			*actual = u->length + 1 + rnd_below(r, 64);
			fill_random(r, d + orig, *actual - orig);
			r->fapplied = 1;
			break;
		}
		if (r->fapplied)
			r->st.kinds[r->fkind]++;
	}
	if (end) {
		r->st.frames++;
		r->st.frames_mutated += r->fapplied;
		r->frame_off = 0;
		r->fkind = -1;
		r->fapplied = 0;
	} else {
		r->frame_off += orig;
	}
}

/* ------------------------------------------------------------------ endpoint 0 */

/* GET_INFO: the limits and identity the driver sizes itself by. */
static void mutate_info(struct relay *r, uint8_t *d, uint32_t *actual)
{
	static const uint32_t sizes[] = { 0, 1, 2, 4095, 4096, 4097, 8192, 32768, 65535 };
	static const uint32_t bits[] = { 0, 1, 8, 11, 12, 16, 17, 32, 255, 65535 };

	if (*actual < sizeof(struct dsr_board_info))
		return;
	switch (rnd_below(r, 7)) {
	case 0:
		put_le(d + 12, 2, sizes[rnd_below(r, 9)]);	/* max_width */
		break;
	case 1:
		put_le(d + 14, 2, sizes[rnd_below(r, 9)]);	/* max_height */
		break;
	case 2:
		put_le(d + 16, 2, bits[rnd_below(r, 10)]);	/* pixel_bits_max */
		break;
	case 3:
		memset(d + 20, 'A' + (int)rnd_below(r, 26), 32);	/* serial without NUL */
		break;
	case 4:
		*actual = rnd_below(r, *actual);		/* short reply */
		break;
	case 5:
		put_le(d, 4, interesting(r));			/* id */
		break;
	default:
		for (int i = 0; i < 4; i++)
			d[rnd_below(r, *actual)] = (uint8_t)rnd(r);
		break;
	}
}

/* A vendor or standard reply that is not a descriptor. */
static void mutate_control(struct relay *r, const struct urb_info *u, int32_t *status,
			   uint32_t *actual, uint8_t *d)
{
	r->st.control++;
	if (!chance(r, r->cfg.control))
		return;
	r->st.control_mutated++;
	if (chance(r, 0.15)) {
		*status = -EPIPE;
		*actual = 0;
		r->st.kinds[HK_CTRL_STALL]++;
	} else if (u->setup[0] == 0xc0 && u->setup[1] == DSR_REQ_GET_INFO) {
		mutate_info(r, d, actual);
		r->st.kinds[HK_INFO]++;
	} else {
		if (*actual && chance(r, 0.7))
			put_le(d, *actual < 4 ? *actual : 4, interesting(r));
		else
			*actual = rnd_below(r, *actual + 1);
		r->st.kinds[HK_REG]++;
	}
}

/* ---- descriptors */

struct desc_walk {
	size_t n;
	uint16_t at[64];		/* offsets of the descriptors */
};

static void walk(const uint8_t *d, size_t n, struct desc_walk *w)
{
	w->n = 0;
	for (size_t i = 0; i + 2 <= n && w->n < 64; i += d[i]) {
		if (d[i] < 2 || i + d[i] > n)
			break;
		w->at[w->n++] = (uint16_t)i;
	}
}

/* Copy descriptors of @in to @out except the one at index @skip (and its SS companion). */
static size_t copy_except(const uint8_t *in, const struct desc_walk *w, size_t skip,
			  uint8_t *out)
{
	size_t o = 0;

	for (size_t k = 0; k < w->n; k++) {
		const uint8_t *desc = in + w->at[k];

		if (k == skip || (k == skip + 1 && desc[1] == DT_SS_EP_COMP))
			continue;
		memcpy(out + o, desc, desc[0]);
		o += desc[0];
	}
	return o;
}

/* The interface descriptor an endpoint at index @k belongs to. */
static int owner_if(const uint8_t *d, const struct desc_walk *w, size_t k)
{
	while (k-- > 0)
		if (d[w->at[k] + 1] == DT_INTERFACE)
			return (int)w->at[k];
	return -1;
}

/* The configuration descriptor, rewritten by this connection's plan; its new length. */
static size_t mutate_config(struct relay *r, const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint16_t mps[] = { 0, 1, 8, 64, 511, 513, 1023, 1025, 2048, 0x1fff, 0xffff };
	struct desc_walk w;
	size_t o, last_ep = SIZE_MAX, neps = 0, eps[32];
	uint64_t v = r->dvar;
	int iface;

	memcpy(out, in, n);
	if (n < 9)
		return n;
	walk(in, n, &w);
	for (size_t k = 0; k < w.n; k++)
		if (in[w.at[k] + 1] == DT_ENDPOINT && neps < 32) {
			eps[neps++] = k;
			last_ep = k;
		}
	o = n;
	switch (r->dkind) {
	case HK_DESC_DROP_EP:
		if (last_ep == SIZE_MAX)
			break;
		iface = owner_if(in, &w, last_ep);
		o = copy_except(in, &w, last_ep, out);
		if (iface >= 0 && iface < (int)o)
			out[iface + 4]--;
		break;
	case HK_DESC_NO_EPS:
		o = 0;
		for (size_t k = 0; k < w.n; k++) {
			const uint8_t *desc = in + w.at[k];

			if (desc[1] == DT_ENDPOINT || desc[1] == DT_SS_EP_COMP)
				continue;
			memcpy(out + o, desc, desc[0]);
			if (desc[1] == DT_INTERFACE && !(v & 1))
				out[o + 4] = 0;
			o += desc[0];
		}
		break;
	case HK_DESC_ODD_MPS:
		if (neps) {
			uint8_t *ep = out + w.at[eps[v % neps]];

			put_le(ep + 4, 2, mps[(v >> 8) % (sizeof(mps) / sizeof(mps[0]))]);
		}
		break;
	case HK_DESC_EP_KIND:
		if (neps) {
			uint8_t *ep = out + w.at[eps[v % neps]];

			if ((v >> 8) & 1)
				ep[2] ^= 0x80;				/* IN <-> OUT */
			else
				ep[3] = (uint8_t)((ep[3] & ~3u) | ((v >> 9) & 1 ? 1 : 3));
		}
		break;
	case HK_DESC_EXTRA_EP: {
		static const uint8_t addr[] = { 0x83, 0x81, 0x02, 0x8f, 0x00, 0x01 };
		uint8_t e[7] = { 7, DT_ENDPOINT, addr[v % 6], (uint8_t)(2 + ((v >> 4) & 1)),
				 0, 2, (uint8_t)(v >> 16) };

		iface = last_ep == SIZE_MAX ? owner_if(in, &w, w.n) : owner_if(in, &w, last_ep);
		memcpy(out + o, e, 7);
		o += 7;
		if (iface >= 0 && !((v >> 5) & 1))
			out[iface + 4]++;
		break;
	}
	case HK_DESC_SECOND_IF: {
		/* interface 1 (or an alternate setting of 0) with one bulk IN endpoint */
		int alt = (v >> 1) & 1;
		uint8_t i2[9] = { 9, DT_INTERFACE, (uint8_t)(alt ? 0 : 1), (uint8_t)alt, 1, 0xff, 0, 0, 0 };
		uint8_t e[7] = { 7, DT_ENDPOINT, 0x83, 2, 0, 2, 0 };

		memcpy(out + o, i2, 9);
		memcpy(out + o + 9, e, 7);
		o += 16;
		if (!alt)
			out[4]++;
		break;
	}
	default:
		break;
	}
	if (o >= 4 && ((v >> 6) & 7))
		put_le(out + 2, 2, o);		/* mostly consistent wTotalLength */
	else if (o >= 4)
		put_le(out + 2, 2, o + (v >> 3) % 16);
	return o;
}

/* The device descriptor: the fields enumeration depends on. */
static void mutate_device(struct relay *r, uint8_t *d, uint32_t n)
{
	static const uint8_t mps0[] = { 0, 7, 9, 16, 65, 255 };
	uint64_t v = r->dvar;

	if (n < 18)
		return;
	switch (v % 6) {
	case 0: d[7] = mps0[(v >> 4) % 6]; break;		/* bMaxPacketSize0 */
	case 1: d[17] = (uint8_t)((v >> 4) % 3 == 0 ? 0 : (v >> 4) % 3 == 1 ? 2 : 255); break;
	case 2: d[0] = (uint8_t)((v >> 4) % 2 ? 17 : 255); break;	/* bLength */
	case 3: put_le(d + 2, 2, (v >> 4) & 0xffff); break;	/* bcdUSB */
	case 4: d[4] = (uint8_t)(v >> 4); break;		/* bDeviceClass */
	default: d[1] = (uint8_t)(v >> 4); break;		/* bDescriptorType */
	}
}

/* A string descriptor: odd lengths, wrong type, unpaired surrogates. */
static void mutate_string(struct relay *r, uint8_t *d, uint32_t *actual)
{
	if (*actual < 2)
		return;
	switch (rnd_below(r, 4)) {
	case 0: d[0] = (uint8_t)(rnd_below(r, 2) ? d[0] | 1 : 255); break;
	case 1: d[1] = (uint8_t)rnd(r); break;
	case 2:
		if (*actual >= 4)
			put_le(d + 2, 2, 0xd800 + rnd_below(r, 0x800));
		break;
	default: *actual = rnd_below(r, *actual); break;
	}
}

/*
 * A descriptor reply under this connection's plan. @ask is what the host's URB holds;
 * a configuration descriptor was fetched whole (DESC_ASK) so that its structure can
 * be rewritten, then is cut to @ask.
 */
static void mutate_descriptor(struct relay *r, const struct urb_info *u, int32_t *status,
			      uint32_t *actual, uint8_t *d)
{
	int type = u->setup[3];
	uint32_t ask = u->length;

	if (type == DT_DEVICE && !r->seen_device) {
		r->seen_device = 1;
		r->st.enumerations++;
	}
	if (r->dkind >= 0 && !*status) {
		int before = r->dapplied;

		if (type == DT_CONFIG && r->dkind >= HK_DESC_DROP_EP && r->dkind <= HK_DESC_EP_KIND) {
			uint8_t tmp[DESC_ASK + 64];
			uint32_t n = *actual > DESC_ASK ? DESC_ASK : *actual;

			memcpy(tmp, d, n);
			*actual = (uint32_t)mutate_config(r, tmp, n, d);
			r->dapplied = 1;
		} else if (type == DT_DEVICE && r->dkind == HK_DESC_DEVICE) {
			mutate_device(r, d, *actual);
			r->dapplied = 1;
		} else if (type == DT_STRING && r->dkind == HK_DESC_STRING) {
			mutate_string(r, d, actual);
			r->dapplied = 1;
		} else if (r->dkind == HK_DESC_BYTES && *actual) {
			for (uint32_t i = 0; i < 1 + *actual / 16; i++)
				d[rnd_below(r, *actual)] ^= (uint8_t)(1u << rnd_below(r, 8));
			r->dapplied = 1;
		}
		if (r->dapplied && !before) {
			r->st.enumerations_mutated++;
			r->st.kinds[r->dkind]++;
		}
	}
	if (*actual > ask)
		*actual = ask;
}

/* ------------------------------------------------------------------ framing */

/* One decoded host command: remember the URB; fetch config descriptors whole. */
static void note_cmd(struct relay *r, const struct usbip_cmd *c, uint8_t *raw)
{
	struct urb_info *u = slot(r, c->seqnum);

	memset(u, 0, sizeof(*u));
	u->used = 1;
	u->seqnum = c->seqnum;
	if (c->command == USBIP_CMD_UNLINK) {
		u->unlink = 1;
		u->unlink_target = c->unlink_seqnum;
		return;
	}
	u->dir = (uint8_t)c->direction;
	u->ep = (uint8_t)c->ep;
	u->length = c->transfer_buffer_length;
	memcpy(u->setup, c->setup, 8);
	if (r->dkind >= 0 && c->ep == 0 && c->direction == USBIP_DIR_IN &&
	    c->setup[0] == 0x80 && c->setup[1] == REQ_GET_DESCRIPTOR && c->setup[3] == DT_CONFIG &&
	    c->transfer_buffer_length < DESC_ASK) {
		usbip_put32(raw + 24, DESC_ASK);	/* transfer_buffer_length */
		raw[40 + 6] = DESC_ASK & 0xff;		/* wLength, little-endian */
		raw[40 + 7] = DESC_ASK >> 8;
	}
}

/* ---- --replay */

/* An unlink of a held URB is answered here: it never reached the board. */
static int replay_unlink(struct relay *r, const struct usbip_cmd *c)
{
	uint8_t out[USBIP_HEADER_SIZE];

	for (size_t i = 0; i < r->nheld; i++) {
		if (r->held[i].seqnum != c->unlink_seqnum)
			continue;
		memmove(&r->held[i], &r->held[i + 1], (r->nheld - i - 1) * sizeof(r->held[0]));
		r->nheld--;
		slot(r, c->unlink_seqnum)->used = 0;
		slot(r, c->seqnum)->used = 0;
		usbip_encode_ret_unlink(out, c->seqnum, -ECONNRESET);
		r->rp_took = 1;
		return buf_append(&r->hout, out, sizeof(out));
	}
	return 0;
}

/* Once a frame is recorded, bulk IN URBs stay here to be answered from it. */
static int replay_takes(struct relay *r, const struct usbip_cmd *c)
{
	r->rp_took = 0;
	if (c->command == USBIP_CMD_UNLINK)
		return replay_unlink(r, c);
	if (r->rp_state == RP_PASS || !c->ep || c->direction != USBIP_DIR_IN)
		return 0;
	if (r->nheld == r->held_cap) {
		size_t cap = r->held_cap ? 2 * r->held_cap : 64;
		struct held_urb *h = realloc(r->held, cap * sizeof(*h));

		if (!h)
			return -1;
		r->held = h;
		r->held_cap = cap;
	}
	r->held[r->nheld++] = (struct held_urb){ c->seqnum, c->transfer_buffer_length,
						 c->number_of_packets };
	r->rp_took = 1;
	return 0;
}

/* Record the board's bulk IN data until one whole frame has been seen. */
static void replay_record(struct relay *r, const struct urb_info *u, int32_t status,
			  const uint8_t *d, uint32_t actual)
{
	if (status)
		return;
	if (r->frame_off == 0 && actual >= DSR_FRAME_HEADER_SIZE) {
		/* replayed frames go on from the newest the board sent */
		uint32_t seq = (uint32_t)(d[DSR_HDR_OFF_SEQUENCE] | d[DSR_HDR_OFF_SEQUENCE + 1] << 8 |
					  d[DSR_HDR_OFF_SEQUENCE + 2] << 16 |
					  (uint32_t)d[DSR_HDR_OFF_SEQUENCE + 3] << 24);

		if (r->rp_state == RP_PASS || (int32_t)(seq - r->rp_seq) > 0)
			r->rp_seq = seq;
	}
	if (r->rp_state != RP_PASS)
		return;
	if (r->frame_off == 0)
		r->rec.len = r->rec.off = 0;
	if (buf_append(&r->rec, d, actual))
		return;
	if (actual < u->length && r->rec.len >= DSR_FRAME_HEADER_SIZE + DSR_FRAME_TRAILER_SIZE) {
		r->rp_state = RP_CAPTURED;
		sim_log("replay: recorded a %zu-byte frame; bulk IN now at the host's speed",
			r->rec.len);
	}
}

/* Answer held URBs from the recorded frame, the way the bridge ends frames. */
static int replay_serve(struct relay *r)
{
	uint8_t hdr[USBIP_HEADER_SIZE];

	if (r->rp_state == RP_CAPTURED && r->board_pending == 0)
		r->rp_state = RP_REPLAY;
	while (r->rp_state == RP_REPLAY && r->nheld && buf_pending(&r->hout) < BACKLOG_MAX) {
		struct held_urb h = r->held[0];
		size_t left = r->rec.len - r->rp_pos, n = 0;

		memmove(&r->held[0], &r->held[1], (r->nheld - 1) * sizeof(r->held[0]));
		r->nheld--;
		slot(r, h.seqnum)->used = 0;
		if (r->rp_zlp) {
			r->rp_zlp = 0;
		} else {
			n = left < h.length ? left : h.length;
			if (r->rp_pos == 0)
				put_le(r->rec.p + DSR_HDR_OFF_SEQUENCE, 4, ++r->rp_seq);
		}
		usbip_encode_ret_submit(hdr, h.seqnum, 0, (uint32_t)n, h.npackets);
		if (buf_append(&r->hout, hdr, sizeof(hdr)) ||
		    buf_append(&r->hout, r->rec.p + r->rp_pos, n))
			return -1;
		r->rp_pos += n;
		if (r->rp_pos == r->rec.len && n) {
			r->rp_pos = 0;
			r->st.frames_replayed++;
			r->rp_zlp = n == h.length;	/* ended on the URB's end */
		}
	}
	return 0;
}

/* Host -> board: decode whole PDUs, remember them, pass them on. */
static int pump_inbound(struct relay *r)
{
	while (buf_pending(&r->hin)) {
		uint8_t *p = r->hin.p + r->hin.off;
		size_t n = buf_pending(&r->hin);
		struct usbip_cmd c;
		const char *why;
		int rc;

		if (r->passthrough) {
			rc = buf_append(&r->dout, p, n);
			r->hin.off += n;
			return rc;
		}
		rc = usbip_decode_cmd(p, n, USBIP_TRANSFER_MAX, &c, &why);
		if (rc == USBIP_NEED_MORE)
			return 0;
		if (rc == USBIP_MALFORMED) {
			r->passthrough = 1;	/* the board will close the connection */
			continue;
		}
		note_cmd(r, &c, p);
		if (r->cfg.replay && replay_takes(r, &c) < 0)
			return -1;
		else if (!(r->cfg.replay && r->rp_took)) {
			if (buf_append(&r->dout, p, c.size))
				return -1;
			if (c.command == USBIP_CMD_SUBMIT && c.ep && c.direction == USBIP_DIR_IN)
				r->board_pending++;
		}
		r->hin.off += c.size;
	}
	return 0;
}

/* A RET_SUBMIT of @u, rewritten; appended to the host's output. An OUT completion
 * carries no data: its actual_length (the bytes the board took) passes unchanged. */
static int emit_ret_submit(struct relay *r, const struct urb_info *u, const uint8_t *hdr,
			   const uint8_t *data, uint32_t actual)
{
	int32_t status = (int32_t)usbip_get32(hdr + 20);

	if (u->dir != USBIP_DIR_IN)
		return buf_append(&r->hout, hdr, USBIP_HEADER_SIZE);
	size_t need = (size_t)(u->length > actual ? u->length : actual) + 128;
	uint8_t out[USBIP_HEADER_SIZE];

	if (need > r->scratch_cap) {
		uint8_t *p = realloc(r->scratch, need);

		if (!p)
			return -1;
		r->scratch = p;
		r->scratch_cap = need;
	}
	memcpy(r->scratch, data, actual);
	if (u->dir == USBIP_DIR_IN && u->ep != 0 && r->board_pending)
		r->board_pending--;
	if (u->dir == USBIP_DIR_IN && u->ep != 0 && r->cfg.replay)
		replay_record(r, u, status, data, actual);
	if (u->dir == USBIP_DIR_IN && u->ep != 0)
		mutate_bulk(r, u, &status, &actual, r->scratch);
	else if (u->dir == USBIP_DIR_IN && u->setup[0] == 0x80 && u->setup[1] == REQ_GET_DESCRIPTOR)
		mutate_descriptor(r, u, &status, &actual, r->scratch);
	else if (u->dir == USBIP_DIR_IN)
		mutate_control(r, u, &status, &actual, r->scratch);
	memcpy(out, hdr, sizeof(out));
	usbip_put32(out + 20, (uint32_t)status);
	usbip_put32(out + 24, actual);
	if (buf_append(&r->hout, out, sizeof(out)))
		return -1;
	return u->dir == USBIP_DIR_IN && actual ? buf_append(&r->hout, r->scratch, actual) : 0;
}

/* Board -> host: cut RET_* PDUs, rewrite RET_SUBMITs, pass the rest. */
static int pump_outbound(struct relay *r)
{
	while (buf_pending(&r->din)) {
		uint8_t *p = r->din.p + r->din.off;
		size_t n = buf_pending(&r->din);
		struct urb_info *u;
		uint32_t cmd, seq, actual;
		size_t size = USBIP_HEADER_SIZE;

		if (r->passthrough) {
			r->din.off += n;
			return buf_append(&r->hout, p, n);
		}
		if (n < USBIP_HEADER_SIZE)
			return 0;
		cmd = usbip_get32(p);
		seq = usbip_get32(p + 4);
		u = slot(r, seq);
		if ((cmd != USBIP_RET_SUBMIT && cmd != USBIP_RET_UNLINK) || !u->used ||
		    u->seqnum != seq) {
			r->passthrough = 1;	/* not something we can frame */
			continue;
		}
		if (cmd == USBIP_RET_UNLINK) {
			struct urb_info *t = slot(r, u->unlink_target);

			if (t->seqnum == u->unlink_target)
				t->used = 0;
			u->used = 0;
			if (buf_append(&r->hout, p, size))
				return -1;
			r->din.off += size;
			continue;
		}
		actual = usbip_get32(p + 24);
		if (u->dir == USBIP_DIR_IN)
			size += actual;
		if (n < size)
			return 0;
		{
			struct urb_info copy = *u;

			u->used = 0;
			if (emit_ret_submit(r, &copy, p, p + USBIP_HEADER_SIZE, actual))
				return -1;
		}
		r->din.off += size;
	}
	return 0;
}

/* ------------------------------------------------------------------ the thread */

/* Read what @fd has into @b; 1 on EOF, -1 on error. */
static int fill(int fd, struct buf *b)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n;

		if (buf_reserve(b, 256u << 10))
			return -1;
		n = read(fd, b->p + b->len, b->cap - b->len);
		if (n > 0) {
			b->len += (size_t)n;
			continue;
		}
		if (n == 0)
			return 1;
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	}
	return 0;
}

/* Write what @b holds to @fd; -1 on error. */
static int drain(int fd, struct buf *b)
{
	while (buf_pending(b)) {
		ssize_t n = write(fd, b->p + b->off, buf_pending(b));

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		b->off += (size_t)n;
	}
	return 0;
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	int host_open = 1, dev_open = 1;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (host_open || dev_open) {
		struct pollfd p[2] = { { .fd = r->host }, { .fd = r->dev } };
		int rc;

		if (!dev_open) {
			/* the board is gone: flush what it said, then close the host side */
			if (!buf_pending(&r->hout))
				break;
			p[0].events = POLLOUT;
			if (poll(p, 1, 2000) <= 0 || drain(r->host, &r->hout) < 0)
				break;
			continue;
		}
		if (!host_open)
			break;
		p[0].events = (short)((buf_pending(&r->dout) < BACKLOG_MAX ? POLLIN : 0) |
				      (buf_pending(&r->hout) || r->nheld ? POLLOUT : 0));
		p[1].events = (short)((buf_pending(&r->hout) < BACKLOG_MAX ? POLLIN : 0) |
				      (buf_pending(&r->dout) ? POLLOUT : 0));
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = fill(r->host, &r->hin);
			if (rc || pump_inbound(r) < 0)
				host_open = 0;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = fill(r->dev, &r->din);
			if (pump_outbound(r) < 0 || rc)
				dev_open = 0;
		}
		if (r->cfg.replay && replay_serve(r) < 0)
			host_open = 0;
		if (host_open && drain(r->host, &r->hout) < 0)
			host_open = 0;
		if (dev_open && drain(r->dev, &r->dout) < 0)
			dev_open = 0;
	}
	close(r->host);
	shutdown(r->dev, SHUT_RDWR);	/* the simulator sees its host leave */
	return NULL;
}

int hostile_wrap(int host_fd, const struct hostile_config *cfg)
{
	struct relay *r;
	int sv[2], fl;

	pthread_mutex_lock(&relays_lock);
	if (nrelays == RELAYS_MAX) {
		pthread_mutex_unlock(&relays_lock);
		sim_log("hostile: more than %d connections", RELAYS_MAX);
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		pthread_mutex_unlock(&relays_lock);
		free(r);
		sim_log("hostile: %s", strerror(errno));
		return -1;
	}
	r->map = calloc(MAP_SLOTS, sizeof(*r->map));
	r->host = host_fd;
	r->dev = sv[0];
	r->cfg = *cfg;
	r->rng = cfg->seed * 0x2545f4914f6cdd1dull;	/* the seed alone decides */
	r->fkind = -1;
	r->dkind = -1;
	if (chance(r, cfg->descriptors))
		r->dkind = HK_DESC_DEVICE + (int)rnd_below(r, HK_KINDS - HK_DESC_DEVICE);
	r->dvar = rnd(r);
	for (int i = 0; i < 2; i++) {
		int fd = i ? sv[0] : host_fd;

		fl = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
	if (!r->map || pthread_create(&r->thread, NULL, relay_main, r)) {
		pthread_mutex_unlock(&relays_lock);
		close(sv[0]);
		close(sv[1]);
		free(r->map);
		free(r);
		sim_log("hostile: cannot start the relay");
		return -1;
	}
	relays[nrelays++] = r;
	pthread_mutex_unlock(&relays_lock);
	if (cfg->replay && !cfg->frames && !cfg->control && !cfg->descriptors)
		return sv[1];
	sim_log("hostile: seed %llu, frames %.3g, control %.3g, descriptors %.3g (%s), fatal %.3g",
		(unsigned long long)cfg->seed, cfg->frames, cfg->control, cfg->descriptors,
		r->dkind >= 0 ? kind_names[r->dkind] : "intact", cfg->fatal);
	return sv[1];
}

const struct hostile_stats *hostile_finish(void)
{
	char kinds[1024];
	size_t o = 0;

	pthread_mutex_lock(&relays_lock);
	for (int i = 0; i < nrelays; i++) {
		struct relay *r = relays[i];

		pthread_join(r->thread, NULL);
		totals.frames += r->st.frames;
		totals.frames_mutated += r->st.frames_mutated;
		totals.control += r->st.control;
		totals.control_mutated += r->st.control_mutated;
		totals.enumerations += r->st.enumerations;
		totals.enumerations_mutated += r->st.enumerations_mutated;
		for (int k = 0; k < HK_KINDS; k++)
			totals.kinds[k] += r->st.kinds[k];
		free(r->hin.p);
		free(r->hout.p);
		free(r->din.p);
		free(r->dout.p);
		free(r->map);
		free(r->scratch);
		free(r->rec.p);
		free(r->held);
		totals.frames_replayed += r->st.frames_replayed;
		close(r->dev);
		free(r);
	}
	if (nrelays && totals.frames_replayed)
		sim_log("replay: %llu frames replayed", (unsigned long long)totals.frames_replayed);
	if (nrelays) {
		kinds[0] = '\0';
		for (int k = 0; k < HK_KINDS; k++)
			if (totals.kinds[k] && o < sizeof(kinds) - 40)
				o += (size_t)snprintf(kinds + o, sizeof(kinds) - o, " %s=%llu",
						      kind_names[k],
						      (unsigned long long)totals.kinds[k]);
		sim_log("hostile: frames=%llu mutated=%llu control=%llu mutated=%llu "
			"enumerations=%llu mutated=%llu;%s",
			(unsigned long long)totals.frames, (unsigned long long)totals.frames_mutated,
			(unsigned long long)totals.control,
			(unsigned long long)totals.control_mutated,
			(unsigned long long)totals.enumerations,
			(unsigned long long)totals.enumerations_mutated, kinds);
	}
	nrelays = 0;
	pthread_mutex_unlock(&relays_lock);
	return &totals;
}

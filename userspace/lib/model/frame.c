/*
 * frame.c - the frame header and trailer on the wire: pack from host order, and parse
 * untrusted bytes with every field checked.
 *
 * Byte offsets come from dsr_hw.h (DSR_HDR_OFF_*, DSR_TRL_OFF_*); the fields are
 * little-endian whatever the host is, so they are assembled byte by byte.
 */
#include <string.h>

#include "dsr/error.h"
#include "model_priv.h"

/* Little-endian stores and loads at a byte offset. */
static void put16(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, v & 0xffff);
	put16(b, off + 2, v >> 16);
}

static uint32_t get16(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
}

static uint32_t get32(const uint8_t *b, size_t off)
{
	return get16(b, off) | get16(b, off + 2) << 16;
}

/* The 64 header bytes, reserved words zero. */
void dsr_header_pack(const struct dsr_frame_info *fi, void *wire)
{
	uint8_t *b = wire;

	memset(b, 0, DSR_FRAME_HEADER_SIZE);
	put32(b, DSR_HDR_OFF_MAGIC, DSR_FRAME_MAGIC);
	put16(b, DSR_HDR_OFF_VERSION, DSR_FRAME_VERSION);
	put16(b, DSR_HDR_OFF_HEADER_SIZE, DSR_FRAME_HEADER_SIZE);
	put16(b, DSR_HDR_OFF_WIDTH, fi->width);
	put16(b, DSR_HDR_OFF_HEIGHT, fi->height);
	put16(b, DSR_HDR_OFF_FORMAT, fi->format);
	put16(b, DSR_HDR_OFF_PIXEL_BITS, fi->pixel_bits);
	put32(b, DSR_HDR_OFF_SEQUENCE, fi->sequence);
	put32(b, DSR_HDR_OFF_GENERATION, fi->generation);
	put32(b, DSR_HDR_OFF_TIMESTAMP, (uint32_t)fi->timestamp);
	put32(b, DSR_HDR_OFF_TIMESTAMP + 4, (uint32_t)(fi->timestamp >> 32));
	put32(b, DSR_HDR_OFF_FLAGS, fi->flags);
	put32(b, DSR_HDR_OFF_PAYLOAD_LENGTH, fi->payload_length);
	put32(b, DSR_HDR_OFF_PAYLOAD_CRC, fi->payload_crc);
}

/* Report a parse failure through @why and dsr_error(). */
static int parse_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return dsr_seterr("frame header: %s", msg);
}

/* The first problem with the header's fields, or NULL. Sizes are checked against the
 * receiver's limits (0 = the contract's DSR_WIDTH_MAX / DSR_HEIGHT_MAX). */
static const char *header_problem(const struct dsr_frame_info *fi, uint32_t max_w,
				  uint32_t max_h)
{
	if (max_w == 0 || max_w > DSR_WIDTH_MAX)
		max_w = DSR_WIDTH_MAX;
	if (max_h == 0 || max_h > DSR_HEIGHT_MAX)
		max_h = DSR_HEIGHT_MAX;
	if (fi->width < 1 || fi->width > max_w)
		return "width outside 1..maximum";
	if (fi->height < 1 || fi->height > max_h)
		return "height outside 1..maximum";
	if (fi->format != DSR_FORMAT_MONO16)
		return "unknown pixel format";
	if (fi->pixel_bits < DSR_PIXEL_BITS_MIN || fi->pixel_bits > DSR_PIXEL_BITS_MAX)
		return "pixel bits outside 12..16";
	if ((uint64_t)fi->payload_length != (uint64_t)fi->width * fi->height * 2)
		return "payload length is not width * height * 2";
	return NULL;
}

/*
 * Parse a header from untrusted bytes. Magic, version and header size first (is this
 * a header at all, and one we understand), then the fields. The reserved words are not
 * checked so that a later version may use them without breaking older receivers;
 * @fi is written only on success.
 */
int dsr_header_parse(const void *wire, size_t len, uint32_t max_w, uint32_t max_h,
		     struct dsr_frame_info *fi, const char **why)
{
	const uint8_t *b = wire;
	struct dsr_frame_info h;
	const char *msg;

	if (!b || len < DSR_FRAME_HEADER_SIZE)
		return parse_fail(why, "truncated (fewer than 64 bytes)");
	if (get32(b, DSR_HDR_OFF_MAGIC) != DSR_FRAME_MAGIC)
		return parse_fail(why, "bad magic (not a DSR frame)");
	if (get16(b, DSR_HDR_OFF_VERSION) != DSR_FRAME_VERSION)
		return parse_fail(why, "unsupported version");
	if (get16(b, DSR_HDR_OFF_HEADER_SIZE) != DSR_FRAME_HEADER_SIZE)
		return parse_fail(why, "bad header size (not 64)");
	h.width = get16(b, DSR_HDR_OFF_WIDTH);
	h.height = get16(b, DSR_HDR_OFF_HEIGHT);
	h.format = get16(b, DSR_HDR_OFF_FORMAT);
	h.pixel_bits = get16(b, DSR_HDR_OFF_PIXEL_BITS);
	h.sequence = get32(b, DSR_HDR_OFF_SEQUENCE);
	h.generation = get32(b, DSR_HDR_OFF_GENERATION);
	h.timestamp = (uint64_t)get32(b, DSR_HDR_OFF_TIMESTAMP) |
		      (uint64_t)get32(b, DSR_HDR_OFF_TIMESTAMP + 4) << 32;
	h.flags = get32(b, DSR_HDR_OFF_FLAGS);
	h.payload_length = get32(b, DSR_HDR_OFF_PAYLOAD_LENGTH);
	h.payload_crc = get32(b, DSR_HDR_OFF_PAYLOAD_CRC);
	msg = header_problem(&h, max_w, max_h);
	if (msg)
		return parse_fail(why, msg);
	*fi = h;
	if (why)
		*why = NULL;
	return 0;
}

/* The 16 trailer bytes: CRC as sent, final flags, magic, reserved zero. */
void dsr_trailer_pack(uint32_t payload_crc, uint32_t flags, void *wire)
{
	uint8_t *b = wire;

	memset(b, 0, DSR_FRAME_TRAILER_SIZE);
	put32(b, DSR_TRL_OFF_PAYLOAD_CRC, payload_crc);
	put32(b, DSR_TRL_OFF_FLAGS, flags);
	put32(b, DSR_TRL_OFF_MAGIC, DSR_TRAILER_MAGIC);
}

/* Parse a trailer from untrusted bytes: length and magic are all there is to check. */
int dsr_trailer_parse(const void *wire, size_t len, uint32_t *payload_crc, uint32_t *flags,
		      const char **why)
{
	const uint8_t *b = wire;
	const char *msg = NULL;

	if (!b || len < DSR_FRAME_TRAILER_SIZE)
		msg = "truncated (fewer than 16 bytes)";
	else if (get32(b, DSR_TRL_OFF_MAGIC) != DSR_TRAILER_MAGIC)
		msg = "bad magic (not a DSR frame trailer)";
	if (why)
		*why = msg;
	if (msg)
		return dsr_seterr("frame trailer: %s", msg);
	if (payload_crc)
		*payload_crc = get32(b, DSR_TRL_OFF_PAYLOAD_CRC);
	if (flags)
		*flags = get32(b, DSR_TRL_OFF_FLAGS);
	return 0;
}

/*
 * cmd_info.c - `dsr info`: what the board is (identity, versions, frame store, where it
 * is attached), its status and counters, the parameter set in its registers; and raw
 * register access for technicians and tests (--reg ADDR, --reg ADDR=VALUE).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_opt.h"
#include "commands.h"
#include "dsr/error.h"

#define MAX_REG_OPS 32

static void info_usage(FILE *f)
{
	fprintf(f, "usage: dsr info [--usb [SERIAL|BUS:ADDR] | --device /dev/dsrN] [--reg ADDR[=VALUE]]...\n"
		   "Prints the board's identity, status, counters and active parameters.\n"
		   "With --reg, only register access instead: ADDR=VALUE writes, then every\n"
		   "ADDR given is read back and printed as 'ADDR VALUE' (hex), in order.\n\n"
		   BOARD_HELP
		   "      --reg ADDR[=VALUE]   read (write) a register; ADDR and VALUE in C syntax\n"
		   "  -h, --help             this help\n"
		   "exit status: 0 success, 1 no board / I/O error, 2 usage error\n");
}

struct reg_op {
	uint32_t addr, value;
	int write;
};

/* "ADDR" or "ADDR=VALUE", numbers in C syntax; -1 if malformed. */
static int parse_reg(const char *arg, struct reg_op *op)
{
	char *end;
	unsigned long a, v;

	a = strtoul(arg, &end, 0);
	if (end == arg || a >= DSR_REG_SPAN || a % 4)
		return -1;
	op->addr = (uint32_t)a;
	op->write = *end == '=';
	if (!*end)
		return 0;
	if (!op->write)
		return -1;
	v = strtoul(end + 1, &end, 0);
	if (*end || v > UINT32_MAX)
		return -1;
	op->value = (uint32_t)v;
	return 0;
}

/* The --reg operations: writes first in order, then every address read back. */
static int do_regs(struct dsr_board *b, const struct reg_op *ops, int n)
{
	for (int i = 0; i < n; i++)
		if (ops[i].write && dsr_board_reg_write(b, ops[i].addr, ops[i].value)) {
			fprintf(stderr, "dsr info: %s\n", dsr_error());
			return DSR_EXIT_FAIL;
		}
	for (int i = 0; i < n; i++) {
		uint32_t v;

		if (dsr_board_reg_read(b, ops[i].addr, &v)) {
			fprintf(stderr, "dsr info: %s\n", dsr_error());
			return DSR_EXIT_FAIL;
		}
		printf("0x%03x 0x%08x\n", ops[i].addr, v);
	}
	return DSR_EXIT_OK;
}

/* Status bits as words. */
static void print_status(uint32_t status, uint32_t error)
{
	printf("status:       0x%x%s%s%s%s\n", status,
	       status & DSR_STATUS_IN_FRAME ? " in-frame" : "",
	       status & DSR_STATUS_COMMIT_PENDING ? " commit-pending" : "",
	       status & DSR_STATUS_REF_VALID ? " reference-valid" : " no-reference",
	       status & DSR_STATUS_ERROR ? " ERROR" : "");
	printf("errors:       0x%x%s%s%s%s%s\n", error,
	       error & DSR_ERR_SHORT_FRAME ? " short-frame" : "",
	       error & DSR_ERR_LONG_FRAME ? " long-frame" : "",
	       error & DSR_ERR_LINE_LENGTH ? " line-length" : "",
	       error & DSR_ERR_BAD_PARAMS ? " bad-params" : "",
	       error & DSR_ERR_LUT_RANGE ? " lut-range" : "");
}

/* The whole report: identity, then registers. */
static int do_info(struct dsr_board *b)
{
	static const char *const modes[] = { "pass", "capture", "subtract", "warp" };
	static const struct { uint32_t addr; const char *name; } counters[] = {
		{ DSR_REG_GENERATION, "generation" }, { DSR_REG_FRAMES_IN, "frames in" },
		{ DSR_REG_FRAMES_OUT, "frames out" }, { DSR_REG_BAD_FRAMES, "bad frames" },
		{ DSR_REG_PARAM_ERRORS, "param errors" },
	};
	struct dsr_board_about a;
	struct dsr_params p;
	uint32_t id, status, error, v;

	if (dsr_board_about(b, &a) || dsr_board_reg_read(b, DSR_REG_ID, &id) ||
	    dsr_board_reg_read(b, DSR_REG_STATUS, &status) ||
	    dsr_board_reg_read(b, DSR_REG_ERROR, &error)) {
		fprintf(stderr, "dsr info: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	printf("board:        DSR %s, serial %s\n", a.simulated ? "simulated board" : "board", a.serial);
	printf("attached:     %s\n", a.transport);
	printf("id:           0x%08x%s\n", id, id == DSR_ID_VALUE ? "" : " (NOT a DSR board ID)");
	printf("rtl version:  %u.%u\n", a.rtl_version >> 16, a.rtl_version & 0xffff);
	printf("firmware:     %u.%u\n", a.firmware_version >> 16, a.firmware_version & 0xffff);
	printf("frame store:  %ux%u, up to %u bits\n", a.max_width, a.max_height, a.pixel_bits_max);
	print_status(status, error);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (dsr_board_reg_read(b, counters[i].addr, &v)) {
			fprintf(stderr, "dsr info: %s\n", dsr_error());
			return DSR_EXIT_FAIL;
		}
		printf("%-13s %u\n", counters[i].name, v);
	}
	if (dsr_board_get_params(b, &p)) {
		fprintf(stderr, "dsr info: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	printf("mode:         %s\n", p.mode <= DSR_MODE_MAX ? modes[p.mode] : "?");
	printf("frame:        %ux%u, %u bits\n", p.width, p.height, p.pixel_bits);
	printf("affine:       %.6f %.6f %.4f / %.6f %.6f %.4f\n",
	       p.a11 / (double)(1 << DSR_A_FRAC_BITS), p.a12 / (double)(1 << DSR_A_FRAC_BITS),
	       p.tx / (double)(1 << DSR_T_FRAC_BITS), p.a21 / (double)(1 << DSR_A_FRAC_BITS),
	       p.a22 / (double)(1 << DSR_A_FRAC_BITS), p.ty / (double)(1 << DSR_T_FRAC_BITS));
	printf("gain:         %.4f, midgrey %u\n", p.gain / (double)(1 << DSR_GAIN_FRAC_BITS), p.midgrey);
	return DSR_EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		BOARD_LONG_OPTIONS,
		{ "reg", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct board_opt bo = { "" };
	struct reg_op ops[MAX_REG_OPS];
	struct dsr_board *b;
	int c, n = 0, rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int h = board_opt_handle(&bo, c, argc, argv);

		if (h < 0)
			return DSR_EXIT_USAGE;
		if (h)
			continue;
		if (c == 'r' && n < MAX_REG_OPS && parse_reg(optarg, &ops[n]) == 0) {
			n++;
			continue;
		}
		if (c == 'r')
			fprintf(stderr, "dsr info: --reg %s: expected ADDR or ADDR=VALUE, ADDR a multiple "
				"of 4 below 0x%x (at most %d)\n", optarg, DSR_REG_SPAN, MAX_REG_OPS);
		if (c == 'h') {
			info_usage(stdout);
			return DSR_EXIT_OK;
		}
		info_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (optind != argc) {
		info_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	b = board_opt_open(&bo, "info");
	if (!b)
		return DSR_EXIT_FAIL;
	rc = n ? do_regs(b, ops, n) : do_info(b);
	dsr_board_close(b);
	return rc;
}

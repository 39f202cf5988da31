/*
 * board_opt.h - how every board command names its board: --usb [SERIAL|BUS:ADDR] for
 * the libusb transport, --device /dev/dsrN for the kernel driver, neither for "the
 * kernel device if there is one, else the only USB board" (dsr_board_open's rules).
 */
#ifndef DSR_TOOL_BOARD_OPT_H
#define DSR_TOOL_BOARD_OPT_H

#include <getopt.h>

#include "dsr/board.h"

struct board_opt {
	char spec[128];		/* what dsr_board_open() gets; "" = default */
};

/* The two getopt_long entries; their codes are BOARD_OPT_USB and BOARD_OPT_DEVICE. */
#define BOARD_OPT_USB		0x1001
#define BOARD_OPT_DEVICE	0x1002
#define BOARD_LONG_OPTIONS \
	{ "usb", optional_argument, NULL, BOARD_OPT_USB }, \
	{ "device", required_argument, NULL, BOARD_OPT_DEVICE }
#define BOARD_HELP \
	"      --usb [SERIAL|BUS:ADDR]  the board over libusb (default: the only one)\n" \
	"      --device /dev/dsrN   the board through the kernel driver\n"

/* Handle option @c if it is one of ours (may consume argv[optind] for "--usb SERIAL").
 * Returns 1 if handled, 0 if not ours, -1 on a usage error (message printed). */
int board_opt_handle(struct board_opt *bo, int c, int argc, char **argv);
/* Open the board, printing dsr_error() with the command's name on failure. */
struct dsr_board *board_opt_open(const struct board_opt *bo, const char *cmd);

#endif /* DSR_TOOL_BOARD_OPT_H */

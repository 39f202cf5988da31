/*
 * board_opt.c - the --usb / --device options shared by the board commands.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "board_opt.h"
#include "dsr/error.h"

/* Could @arg be a USB selector rather than the command's next operand? Serial numbers
 * and BUS:ADDR are short words of [A-Za-z0-9_:-] with a digit (not "upload"); an
 * existing file never is. With a dot, --usb=SERIAL is needed. */
static int looks_like_selector(const char *arg)
{
	struct stat st;

	if (!arg || !*arg || arg[0] == '-' || strlen(arg) > 32 || stat(arg, &st) == 0)
		return 0;
	return strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") ==
	       strlen(arg) && !strchr(arg, '.') && strpbrk(arg, "0123456789");
}

int board_opt_handle(struct board_opt *bo, int c, int argc, char **argv)
{
	const char *sel;

	if (c == BOARD_OPT_DEVICE) {
		if (strncmp(optarg, "/dev/", 5)) {
			fprintf(stderr, "dsr: --device %s: expected a /dev/dsrN path\n", optarg);
			return -1;
		}
		snprintf(bo->spec, sizeof(bo->spec), "%s", optarg);
		return 1;
	}
	if (c != BOARD_OPT_USB)
		return 0;
	sel = optarg;
	if (!sel && optind < argc && looks_like_selector(argv[optind]))
		sel = argv[optind++];
	if (sel && strlen(sel) > sizeof(bo->spec) - 5) {
		fprintf(stderr, "dsr: --usb %s: selector too long\n", sel);
		return -1;
	}
	snprintf(bo->spec, sizeof(bo->spec), "usb%s%s", sel ? ":" : "", sel ? sel : "");
	return 1;
}

struct dsr_board *board_opt_open(const struct board_opt *bo, const char *cmd)
{
	struct dsr_board *b = dsr_board_open(bo->spec);

	if (!b)
		fprintf(stderr, "dsr %s: %s\n", cmd, dsr_error());
	return b;
}

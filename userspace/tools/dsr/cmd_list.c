/*
 * cmd_list.c - `dsr list`: every DSR board this machine sees, kernel devices and USB,
 * with what to pass to --usb / --device to pick one, and why one cannot be used.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dsr/board.h"
#include "dsr/error.h"

#define LIST_MAX 32

static void list_usage(FILE *f)
{
	fprintf(f, "usage: dsr list\n"
		   "Lists the DSR boards present: /dev/dsrN devices of the kernel driver, then\n"
		   "boards on USB as BUS:ADDR (for --usb BUS:ADDR) with their serial numbers.\n"
		   "exit status: 0 at least one board, 1 none (or listing failed), 2 usage error\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dsr_board_entry list[LIST_MAX];
	int c, n;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			list_usage(stdout);
			return DSR_EXIT_OK;
		}
		list_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	if (optind != argc) {
		list_usage(stderr);
		return DSR_EXIT_USAGE;
	}
	n = dsr_board_list(list, LIST_MAX);
	if (n < 0) {
		fprintf(stderr, "dsr list: %s\n", dsr_error());
		return DSR_EXIT_FAIL;
	}
	if (n == 0) {
		fprintf(stderr, "dsr list: no DSR board found (no /dev/dsrN, no USB device %04x:%04x)\n",
			DSR_USB_VID, DSR_USB_PID);
		return DSR_EXIT_FAIL;
	}
	for (int i = 0; i < n && i < LIST_MAX; i++) {
		const struct dsr_board_entry *e = &list[i];
		const char *sel = strncmp(e->spec, "usb:", 4) ? e->spec : e->spec + 4;

		printf("%-12s serial %-16s %s%s%s\n", sel, e->serial[0] ? e->serial : "?",
		       e->transport, e->problem[0] ? "  -- " : "", e->problem);
	}
	if (n > LIST_MAX)
		printf("... and %d more\n", n - LIST_MAX);
	return DSR_EXIT_OK;
}

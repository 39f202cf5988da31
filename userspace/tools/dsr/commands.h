/*
 * commands.h - the `dsr` subcommands. Each lives in cmd_<name>.c, parses its own
 * arguments (getopt_long, --help on each) and calls libdsr; main.c only dispatches.
 *
 * Exit codes, the same for every subcommand:
 *   0 success, 1 the operation failed (bad input, no board, did not converge, ...),
 *   2 usage error (unknown option, missing argument).
 */
#ifndef DSR_COMMANDS_H
#define DSR_COMMANDS_H

#define DSR_EXIT_OK	0
#define DSR_EXIT_FAIL	1
#define DSR_EXIT_USAGE	2

struct dsr_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand's name */
	const char *summary;
};

/* One line per subcommand, kept in the order `dsr help` lists them. */
int cmd_version(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_reference(int argc, char **argv);
int cmd_acquire(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_series(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_subtract(int argc, char **argv);
int cmd_pacs(int argc, char **argv);

#endif /* DSR_COMMANDS_H */

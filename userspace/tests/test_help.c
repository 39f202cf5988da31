/*
 * test_help.c - every `dsr` subcommand documents itself: `dsr help` lists the commands,
 * and `dsr <command> --help` for each one runs, exits 0 and prints its help. The list
 * is read from `dsr help` itself, so a new subcommand is covered the day it is added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

/* The dsr binary under test. */
static const char *dsr_bin(void)
{
	const char *d = getenv("DSR");
	return d ? d : "build/dsr";
}

/* Output (stdout and stderr) of @cmd in @out; returns the exit status. */
static int capture(const char *cmd, char *out, size_t size)
{
	size_t n = 0;
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	while (n < size - 1) {
		size_t r = fread(out + n, 1, size - 1 - n, f);
		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	int st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_every_command_has_help(void **state)
{
	(void)state;
	static char list[16384], out[65536];
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s help 2>&1", dsr_bin());
	assert_int_equal(capture(cmd, list, sizeof(list)), 0);
	const char *p = strstr(list, "commands:");
	assert_non_null(p);
	int n = 0;
	for (char *line = strtok((char *)p, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];
		if (strncmp(line, "  ", 2) || sscanf(line, " %63s", name) != 1)
			continue;
		snprintf(cmd, sizeof(cmd), "%s %s --help 2>&1", dsr_bin(), name);
		int rc = capture(cmd, out, sizeof(out));
		if (rc != 0)
			fail_msg("'dsr %s --help' exited %d:\n%s", name, rc, out);
		if (strlen(out) < 8)
			fail_msg("'dsr %s --help' prints nothing useful: '%s'", name, out);
		n++;
	}
	/* version plus at least the commands of this issue */
	if (n < 3)
		fail_msg("only %d commands listed by 'dsr help':\n%s", n, list);
}

/* An unknown command is a usage error, not a crash. */
static void test_unknown_command(void **state)
{
	(void)state;
	char out[4096], cmd[512];
	snprintf(cmd, sizeof(cmd), "%s no-such-command 2>&1", dsr_bin());
	assert_int_equal(capture(cmd, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "not a dsr command"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_has_help),
		cmocka_unit_test(test_unknown_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

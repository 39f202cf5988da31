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
		/* dsr help CMD shows the same page */
		static char via_help[65536];
		snprintf(cmd, sizeof(cmd), "%s help %s 2>&1", dsr_bin(), name);
		assert_int_equal(capture(cmd, via_help, sizeof(via_help)), 0);
		if (strcmp(out, via_help))
			fail_msg("'dsr help %s' differs from 'dsr %s --help'", name, name);
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
	snprintf(cmd, sizeof(cmd), "%s help no-such-command 2>&1", dsr_bin());
	assert_int_equal(capture(cmd, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "not a dsr command"));
}

/* One name and one default per option: the motion model is --model everywhere (no
 * --motion), and --min-quality has the same default in every command that takes it. */
static void test_consistent_options(void **state)
{
	(void)state;
	static char out[65536];
	char cmd[512], def[64] = "";
	const char *cmds[] = { "register", "series", "calibrate", "subtract" };
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s help %s 2>&1", dsr_bin(), cmds[i]);
		assert_int_equal(capture(cmd, out, sizeof(out)), 0);
		if (strstr(out, "--motion"))
			fail_msg("dsr %s still documents --motion", cmds[i]);
		assert_non_null(strstr(out, "--model"));
		const char *q = strstr(out, "--min-quality");
		if (!q)
			continue;
		const char *dflt = strstr(q, "(default ");
		assert_non_null(dflt);
		char here[64];
		snprintf(here, sizeof(here), "%.*s", (int)strcspn(dflt, ")"), dflt);
		if (!def[0])
			snprintf(def, sizeof(def), "%s", here);
		else if (strcmp(def, here))
			fail_msg("--min-quality: '%s' in one command, '%s' in dsr %s", def, here, cmds[i]);
	}
	assert_true(def[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_has_help),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_consistent_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

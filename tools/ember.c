/* ember: the front. `ember CMD ARGS...` runs ember-CMD from this program's
 * own directory, else from PATH (git-style). `ember --help` lists the
 * commands present, each described by the command itself (--summary). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#ifndef EMBER_VERSION
#define EMBER_VERSION "0"
#endif

#define MAX_CMDS 256

static const char usage[] =
	"Usage: ember COMMAND [ARGS...]\n"
	"       ember --help | --version\n"
	"Runs ember-COMMAND from ember's own directory, else from PATH.\n"
	"`ember COMMAND --help` describes one command.\n";

/* Directory holding this executable, from /proc/self/exe, else argv[0]. */
static int self_dir(const char *argv0, char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	if (n <= 0) {
		if (!strchr(argv0, '/') || strlen(argv0) >= size)
			return -1;
		n = (ssize_t)strlen(argv0);
		memcpy(dir, argv0, (size_t)n);
	}
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

static int is_exec(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

struct found {
	char *name[MAX_CMDS];
	char *path[MAX_CMDS];
	int n;
};

static void scan_dir(const char *dir, struct found *f)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && f->n < MAX_CMDS) {
		if (strncmp(e->d_name, "ember-", 6) != 0 || !e->d_name[6])
			continue;
		const char *cmd = e->d_name + 6;
		int dup = 0;
		for (int i = 0; i < f->n; i++)
			dup |= strcmp(f->name[i], cmd) == 0;
		char path[PATH_MAX];
		if (dup || snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
		    !is_exec(path))
			continue;
		f->name[f->n] = strdup(cmd);
		f->path[f->n] = strdup(path);
		if (!f->name[f->n] || !f->path[f->n]) {
			fputs("ember: out of memory\n", stderr);
			exit(EX_OSERR);
		}
		f->n++;
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line from `path --summary`, or "" when it gives none. */
static void summary(const char *path, char *line, size_t size)
{
	line[0] = '\0';
	int fd[2];
	if (pipe(fd))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(path, path, "--summary", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	FILE *in = fdopen(fd[0], "r");
	if (in) {
		if (!fgets(line, (int)size, in))
			line[0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		fclose(in);
	} else {
		close(fd[0]);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int list_commands(const char *argv0)
{
	struct found f = {.n = 0};
	char dir[PATH_MAX];
	if (self_dir(argv0, dir, sizeof dir) == 0)
		scan_dir(dir, &f);
	const char *path = getenv("PATH");
	char *copy = path ? strdup(path) : NULL;
	for (char *save, *p = copy ? strtok_r(copy, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
		scan_dir(*p ? p : ".", &f);
	free(copy);
	/* sort names and paths together */
	char *pairs[MAX_CMDS][2];
	for (int i = 0; i < f.n; i++) {
		pairs[i][0] = f.name[i];
		pairs[i][1] = f.path[i];
	}
	qsort(pairs, (size_t)f.n, sizeof pairs[0], by_name);
	fputs(usage, stdout);
	fputs("\nCommands:\n", stdout);
	for (int i = 0; i < f.n; i++) {
		char line[512];
		summary(pairs[i][1], line, sizeof line);
		printf("  %-10s %s\n", pairs[i][0], line);
	}
	return fflush(stdout) ? EX_IOERR : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
		return list_commands(argv[0]);
	if (strcmp(cmd, "--version") == 0) {
		printf("ember %s\n", EMBER_VERSION);
		return 0;
	}
	if (cmd[0] == '-' || strchr(cmd, '/')) {
		fprintf(stderr, "ember: unknown option '%s'\n", cmd);
		fputs(usage, stderr);
		return EX_USAGE;
	}
	char prog[PATH_MAX], dir[PATH_MAX];
	if (snprintf(prog, sizeof prog, "ember-%s", cmd) >= (int)sizeof prog) {
		fprintf(stderr, "ember: unknown command '%s'\n", cmd);
		return EX_USAGE;
	}
	argv[1] = prog;
	if (self_dir(argv[0], dir, sizeof dir) == 0) {
		char path[PATH_MAX * 2];
		snprintf(path, sizeof path, "%s/%s", dir, prog);
		if (is_exec(path))
			execv(path, argv + 1);
	}
	execvp(prog, argv + 1);
	if (errno == ENOENT) {
		fprintf(stderr, "ember: unknown command '%s' (no ember-%s here or on PATH); see 'ember --help'\n",
			cmd, cmd);
		return EX_USAGE;
	}
	fprintf(stderr, "ember: cannot run ember-%s: %s\n", cmd, strerror(errno));
	return EX_UNAVAILABLE;
}

/* ember commands: the PID-1 side of an image's /init; see pid1.h.
 * Everything here is system calls: the image holds no other program. */
#include "pid1.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STATE_DIR "/var/ember"
#define ARGS_FILE "/etc/ember/args"
#define MODULES_FILE "/etc/modules.order"
#define DISK "/dev/vda"
#define NIC "eth0"
#define NIC_WAIT_MS 5000

/* PID-1 duty: the atexit handler and the signal handler find the command's
 * name and whether /var/ember is a disk here (set once, before either can
 * run) */
static const char *pid1_cmd;
static int pid1_disk;

static double uptime(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ember %s: init: [%.2f s] ", pid1_cmd, uptime());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* async-signal-safe: fixed strings only */
static void say_raw(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(2, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* H2 of images.md: virtio-net can lock up at power-off unless eth0 is down;
 * async-signal-safe, for the signal handler too */
static _Noreturn void power_off(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct ifreq r;
		memset(&r, 0, sizeof r);
		memcpy(r.ifr_name, NIC, sizeof NIC);
		if (ioctl(s, SIOCGIFFLAGS, &r) == 0) {
			r.ifr_flags &= (short)~IFF_UP;
			ioctl(s, SIOCSIFFLAGS, &r);
		}
		close(s);
	}
	sync();
	if (pid1_disk && umount(STATE_DIR) &&
	    mount(NULL, STATE_DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL))
		say_raw("ember: init: " STATE_DIR " still busy: synced, not unmounted\n");
	say_raw("ember: init: powering off\n");
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void at_exit(void)
{
	if (getpid() != 1)
		return;   /* a child the command forked */
	fflush(NULL);
	say("ember-%s has ended", pid1_cmd);
	power_off();
}

static void on_signal(int sig)
{
	(void)sig;
	say_raw("ember: init: signal before the command's own handlers\n");
	power_off();
}

static _Noreturn void give_up(const char *what)
{
	say("%s: %s", what, strerror(errno));
	power_off();
}

static void mount_one(const char *src, const char *dir, const char *type, unsigned long flags)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		say("mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, flags, NULL) && errno != EBUSY)
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

/* the kernel opens /dev/console as 0, 1 and 2 when its own initramfs has
 * one; when it did not, open it now that devtmpfs is there */
static void console(void)
{
	if (fcntl(2, F_GETFD) >= 0)
		return;
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* a whole small file, NUL-terminated; NULL when absent (errno set) */
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 == cap) {
			char *b = cap < (1u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!b) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

static void load_modules(void)
{
	char *list = slurp(MODULES_FILE);
	if (!list) {
		say(MODULES_FILE ": %s: no modules loaded", strerror(errno));
		return;
	}
	int n = 0, bad = 0;
	for (char *save = NULL, *p = strtok_r(list, "\r\n", &save); p; p = strtok_r(NULL, "\r\n", &save)) {
		if (*p == '#' || !*p)
			continue;
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)) {
			say("module %s: %s", p, strerror(errno));
			bad++;
		} else {
			n++;
		}
		if (fd >= 0)
			close(fd);
	}
	free(list);
	say("%d modules loaded%s", n, bad ? ", some failed" : "");
}

static int if_flags(int s, const char *name, short set)
{
	struct ifreq r;
	memset(&r, 0, sizeof r);
	snprintf(r.ifr_name, sizeof r.ifr_name, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &r))
		return -1;
	r.ifr_flags |= set;
	return ioctl(s, SIOCSIFFLAGS, &r);
}

static void set_sin(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = a;
	memcpy(sa, &sin, sizeof sin);
}

/* "A.B.C.D/NN" */
static int parse_cidr(const char *s, struct in_addr *a, struct in_addr *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) != 1)
		return -1;
	unsigned long bits = 24;
	if (slash) {
		char *end;
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || bits > 32)
			return -1;
	}
	mask->s_addr = htonl(bits ? 0xffffffffu << (32 - bits) : 0);
	return 0;
}

static int wait_nic(void)
{
	for (int ms = 0; ms < NIC_WAIT_MS; ms += 10) {
		if (if_nametoindex(NIC))
			return 0;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void network(const char *ip, const char *gw)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		say("socket: %s", strerror(errno));
		return;
	}
	if (if_flags(s, "lo", IFF_UP))
		say("lo: %s", strerror(errno));
	struct in_addr a, mask, g;
	if (!ip) {
		say("no ember.ip=A.B.C.D/NN: " NIC " left unconfigured");
	} else if (parse_cidr(ip, &a, &mask)) {
		say("ember.ip=%s: not A.B.C.D/NN: " NIC " left unconfigured", ip);
	} else if (wait_nic()) {
		say(NIC " never appeared (%d ms)", NIC_WAIT_MS);
	} else {
		struct ifreq r;
		memset(&r, 0, sizeof r);
		memcpy(r.ifr_name, NIC, sizeof NIC);
		set_sin(&r.ifr_addr, a);
		int bad = ioctl(s, SIOCSIFADDR, &r);
		set_sin(&r.ifr_netmask, mask);
		bad = bad || ioctl(s, SIOCSIFNETMASK, &r) || if_flags(s, NIC, IFF_UP | IFF_RUNNING);
		if (bad)
			say(NIC " %s: %s", ip, strerror(errno));
		else if (gw && inet_pton(AF_INET, gw, &g) != 1)
			say(NIC " %s; ember.gw=%s: not an address: no route", ip, gw);
		else if (gw) {
			struct rtentry rt;
			memset(&rt, 0, sizeof rt);
			struct in_addr any = {0};
			set_sin(&rt.rt_dst, any);
			set_sin(&rt.rt_genmask, any);
			set_sin(&rt.rt_gateway, g);
			rt.rt_flags = RTF_UP | RTF_GATEWAY;
			if (ioctl(s, SIOCADDRT, &rt))
				say(NIC " %s; default route via %s: %s", ip, gw, strerror(errno));
			else
				say(NIC " %s, default route via %s", ip, gw);
		} else {
			say(NIC " %s, no ember.gw: no default route", ip);
		}
	}
	close(s);
}

/* The kernel's hostname= names the machine; without it the name is
 * "(none)", which no Received field can carry: localhost, as srv and the
 * Maildir fall back to for an empty one. */
static void host_name(void)
{
	char h[256];
	if (gethostname(h, sizeof h) == 0 && h[0] && strcmp(h, "(none)"))
		return;
	if (sethostname("localhost", strlen("localhost")))
		say("sethostname: %s", strerror(errno));
	else
		say("no hostname= on the kernel command line: host name localhost");
}

static void state_dir(void)
{
	struct stat st;
	if (stat(DISK, &st) == 0) {
		if (mkdir(STATE_DIR, 0755) && errno != EEXIST)
			give_up("mkdir " STATE_DIR);
		if (mount(DISK, STATE_DIR, "ext4", MS_NOATIME, NULL))
			give_up("mount " DISK " (ext4) on " STATE_DIR);
		pid1_disk = 1;
		say(STATE_DIR " is " DISK " (ext4)");
	} else {
		mount_one("tmpfs", STATE_DIR, "tmpfs", 0);
		say("no " DISK ": " STATE_DIR " is in RAM and will not survive a restart");
	}
}

/* ---- argv ---------------------------------------------------------------- */

struct args {
	char **v;
	int n, cap;
};

static void push(struct args *a, const char *s, size_t len)
{
	if (a->n + 2 > a->cap) {
		int cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, (size_t)cap * sizeof *v);
		if (!v)
			give_up("argv");
		a->v = v;
		a->cap = cap;
	}
	char *c = malloc(len + 1);
	if (!c)
		give_up("argv");
	memcpy(c, s, len);
	c[len] = '\0';
	a->v[a->n++] = c;
	a->v[a->n] = NULL;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* /etc/ember/args: "--opt", "--opt value" (the value is the rest of the
 * line) or "--opt=value"; blank lines and #comments skipped */
static void file_args(struct args *a)
{
	char *text = slurp(ARGS_FILE);
	if (!text) {
		if (errno != ENOENT)
			say(ARGS_FILE ": %s", strerror(errno));
		return;
	}
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(l);
		while (n && blank(l[n - 1]))
			n--;
		while (n && blank(*l))
			l++, n--;
		if (!n || *l == '#')
			continue;
		size_t w = 0;
		while (w < n && !blank(l[w]))
			w++;
		push(a, l, w);
		while (w < n && blank(l[w]))
			w++;
		if (w < n)
			push(a, l + w, n - w);
	}
	free(text);
}

/* One word of the kernel command line, in place: whitespace outside double
 * quotes ends it and the quotes go (the kernel's own next_arg takes
 * `a="b c"` and `"a=b c"`). Returns where the next word starts, and the
 * word, NUL-terminated, and its length in *word and *len; NULL at the end. /proc/cmdline ends in '\n' (H3 of
 * images.md): it is whitespace like any other. */
static char *next_word(char *p, char **word, size_t *len)
{
	while (*p && blank(*p))
		p++;
	if (!*p)
		return NULL;
	char *out = p;
	*word = p;
	int quoted = 0;
	for (; *p && (quoted || !blank(*p)); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*out++ = *p;
	}
	*len = (size_t)(out - *word);
	char *next = *p ? p + 1 : p;
	*out = '\0';
	return next;
}

/* ember.ip and ember.gw are ours; every other ember.OPTION[=VALUE] becomes
 * --OPTION [VALUE] */
static void cmdline_args(struct args *a, char *cmdline, const char **ip, const char **gw)
{
	static const char pre[] = "ember.";
	char *w, *p = cmdline;
	size_t n;
	while ((p = next_word(p, &w, &n))) {
		if (n <= sizeof pre - 1 || memcmp(w, pre, sizeof pre - 1))
			continue;
		char *name = w + sizeof pre - 1;
		size_t nlen = n - (sizeof pre - 1);
		char *eq = memchr(name, '=', nlen);
		size_t klen = eq ? (size_t)(eq - name) : nlen;
		if (!klen)
			continue;
		if (klen == 2 && (!memcmp(name, "ip", 2) || !memcmp(name, "gw", 2))) {
			if (eq)
				*(name[0] == 'i' ? ip : gw) = eq + 1;
			else
				say("%s without a value: ignored", w);
			continue;
		}
		char opt[256];
		if (klen > sizeof opt - 3) {
			say("%.*s: too long an option name: skipped", (int)klen, name);
			continue;
		}
		opt[0] = opt[1] = '-';
		memcpy(opt + 2, name, klen);
		push(a, opt, klen + 2);
		if (eq)
			push(a, eq + 1, nlen - klen - 1);
	}
}

static void new_argv(const char *cmd, int *argc, char ***argv, const char **ip, const char **gw,
		     char *cmdline)
{
	struct args a = {0};
	char name[64];
	int len = snprintf(name, sizeof name, "ember-%s", cmd);
	push(&a, name, (size_t)len < sizeof name ? (size_t)len : sizeof name - 1);
	file_args(&a);
	if (cmdline)
		cmdline_args(&a, cmdline, ip, gw);
	*argc = a.n;
	*argv = a.v;
}

static void log_argv(int argc, char **argv)
{
	fprintf(stderr, "ember %s: init: [%.2f s] running", pid1_cmd, uptime());
	for (int i = 0; i < argc; i++)
		fprintf(stderr, strpbrk(argv[i], " \t") ? " \"%s\"" : " %s", argv[i]);
	fputc('\n', stderr);
}

void pid1_boot(const char *cmd, int *argc, char ***argv)
{
	if (getpid() != 1)
		return;
	pid1_cmd = cmd;
	if (atexit(at_exit))
		give_up("atexit");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* ctrl-alt-del: SIGINT to PID 1, not an instant reboot */
	reboot(RB_DISABLE_CAD);
	mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID);
	console();
	mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_one("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV);
	load_modules();
	char *cmdline = slurp("/proc/cmdline");
	if (!cmdline)
		say("/proc/cmdline: %s", strerror(errno));
	const char *ip = NULL, *gw = NULL;
	new_argv(cmd, argc, argv, &ip, &gw, cmdline);
	network(ip, gw);
	host_name();
	state_dir();
	log_argv(*argc, *argv);
	free(cmdline);   /* ip and gw pointed into it; argv is a copy */
}

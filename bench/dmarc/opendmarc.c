/* libopendmarc's side of tests/interop/dmarc-opendmarc.sh: the RFC 7489
 * policy and alignment OpenDMARC finds for each case, its DMARC records
 * fetched by its own resolver, pointed at the loopback DNS server given
 * (knot on a port other than 53: libopendmarc takes its name servers as
 * sockaddr_in, port included). Organizational domains from Debian's
 * public suffix list.
 *
 * Input, one case a line, tab-separated:
 *   NAME FROM DKIM-DOMAIN DKIM-RESULT SPF-DOMAIN SPF-RESULT
 * (results: pass, fail, temperror, none; "-" for no domain). Output, one
 * line per case:
 *   NAME verdict=pass|reject|quarantine|none|absent|error p=P sp=SP dkim=aligned|unaligned spf=...
 * Usage: opendmarc HOST:PORT < cases */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <opendmarc/dmarc.h>

static int dkim_result(const char *s)
{
	if (!strcmp(s, "pass"))
		return DMARC_POLICY_DKIM_OUTCOME_PASS;
	if (!strcmp(s, "fail"))
		return DMARC_POLICY_DKIM_OUTCOME_FAIL;
	if (!strcmp(s, "temperror"))
		return DMARC_POLICY_DKIM_OUTCOME_TMPFAIL;
	return DMARC_POLICY_DKIM_OUTCOME_NONE;
}

static int spf_result(const char *s)
{
	if (!strcmp(s, "pass"))
		return DMARC_POLICY_SPF_OUTCOME_PASS;
	if (!strcmp(s, "fail") || !strcmp(s, "softfail"))
		return DMARC_POLICY_SPF_OUTCOME_FAIL;
	if (!strcmp(s, "temperror"))
		return DMARC_POLICY_SPF_OUTCOME_TMPFAIL;
	return DMARC_POLICY_SPF_OUTCOME_NONE;
}

static const char *pname(int p)
{
	switch (p) {
	case DMARC_RECORD_P_NONE: return "none";
	case DMARC_RECORD_P_QUARANTINE: return "quarantine";
	case DMARC_RECORD_P_REJECT: return "reject";
	}
	return "unset";
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: opendmarc HOST:PORT < cases\n");
		return 64;
	}
	char host[64];
	const char *colon = strrchr(argv[1], ':');
	if (!colon || (size_t)(colon - argv[1]) >= sizeof host)
		return 64;
	memcpy(host, argv[1], (size_t)(colon - argv[1]));
	host[colon - argv[1]] = '\0';
	OPENDMARC_LIB_T lib;
	memset(&lib, 0, sizeof lib);
	lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
	snprintf((char *)lib.tld_source_file, sizeof lib.tld_source_file, "%s",
		 "/usr/share/publicsuffix/public_suffix_list.dat");
	lib.nscount = 1;
	lib.nsaddr_list[0].sin_family = AF_INET;
	lib.nsaddr_list[0].sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &lib.nsaddr_list[0].sin_addr) != 1)
		return 64;
	if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY) {
		fprintf(stderr, "opendmarc: library_init failed\n");
		return 70;
	}
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *f[6];
		int n = 0;
		for (char *p = line, *t; n < 6 && (t = strsep(&p, "\t"));)
			f[n++] = t;
		if (n != 6)
			continue;
		DMARC_POLICY_T *ctx = opendmarc_policy_connect_init((u_char *)"192.0.2.1", DMARC_POLICY_IP_TYPE_IPV4);
		if (!ctx)
			return 70;
		opendmarc_policy_store_from_domain(ctx, (u_char *)f[1]);
		if (strcmp(f[2], "-"))
			opendmarc_policy_store_dkim(ctx, (u_char *)f[2], (u_char *)"s", dkim_result(f[3]), NULL);
		if (strcmp(f[4], "-"))
			opendmarc_policy_store_spf(ctx, (u_char *)f[4], spf_result(f[5]), DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL);
		int q = opendmarc_policy_query_dmarc(ctx, (u_char *)f[1]);
		int v = opendmarc_get_policy_to_enforce(ctx);
		const char *verdict = v == DMARC_POLICY_PASS ? "pass" : v == DMARC_POLICY_REJECT ? "reject"
				      : v == DMARC_POLICY_QUARANTINE ? "quarantine" : v == DMARC_POLICY_NONE ? "none"
				      : v == DMARC_POLICY_ABSENT ? "absent" : "error";
		int p = 0, sp = 0, da = 0, sa = 0;
		opendmarc_policy_fetch_p(ctx, &p);
		opendmarc_policy_fetch_sp(ctx, &sp);
		opendmarc_policy_fetch_alignment(ctx, &da, &sa);
		printf("%s verdict=%s p=%s sp=%s dkim=%s spf=%s query=%s\n", f[0], verdict, pname(p), pname(sp),
		       da == DMARC_POLICY_DKIM_ALIGNMENT_PASS ? "aligned" : "unaligned",
		       sa == DMARC_POLICY_SPF_ALIGNMENT_PASS ? "aligned" : "unaligned",
		       opendmarc_policy_status_to_str(q));
		opendmarc_policy_connect_shutdown(ctx);
	}
	opendmarc_policy_library_shutdown(&lib);
	return 0;
}

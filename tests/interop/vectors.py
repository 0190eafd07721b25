#!/usr/bin/python3
"""lib/mime against mail-parser's header vectors (tests/interop/vectors.sh).

Usage: vectors.py PROBE DIR NAME [--show]
  PROBE  the compiled tests/interop/vectors-probe.c
  DIR    ../shared/testdata/mime/mail-parser
  NAME   content_type, date, id, received or address (NAME.json in DIR)
  --show print every disagreement in the form the KNOWN table takes

Each vector is {"header": field body, "expected": mail-parser's value}. The
field body is cut where the field ends, as RFC 5322 2.2.3 reads a header:
at the first line break (CRLF or bare LF) not followed by WSP; that line
break and whatever follows it (the blank line ending a header, or another
field: id.json #3, address.json #30 and #31 test exactly that) is not part
of the value and is not given to the parser. Folding inside is kept.

The probe prints ember's model as JSON; the functions map_* below turn
mail-parser's expected shape and ember's into comparable dicts, and
compare() lists the fields that differ. Every vector that differs must be
in KNOWN (at the end of this file) with the exact list of differences, so
a listed difference that changes or disappears fails too; class "a" is a
bug in ember (to be fixed; the test fails until it is), class "b" a
justified difference. The test passes only when every difference is a
listed "b".
"""
import ipaddress
import json
import re
import subprocess
import sys


def field_body(header):
    """The field body: up to the first line break not followed by WSP
    (RFC 5322 2.2.3 unfolding rule; the final line end is dropped)."""
    i = 0
    while True:
        j = header.find("\n", i)
        if j < 0:
            return header
        if j + 1 >= len(header) or header[j + 1] not in " \t":
            end = j - 1 if j > 0 and header[j - 1] == "\r" else j
            return header[:end]
        i = j + 1


# ---------------------------------------------------------------------------
# content_type.json
#
# mail-parser: {"c_type", "c_subtype", "attributes": [[name, value], ...]}
# or null when it rejects the value. It reads Content-Type and
# Content-Disposition with one parser, so a value without "/" gives a
# c_subtype of null ("inline", "attachment; filename=...").
# Mapping:
#  - expected null: ember's mime_content_type_parse must refuse (-2), the
#    caller then applies the RFC 2045 5.2 default.
#  - expected c_subtype null: the vector is a Content-Disposition value (or a
#    type without subtype, which RFC 2045 5.1 does not allow); compared with
#    mime_disposition_parse (type, params); mime_content_type_parse must
#    refuse it (-2), checked too.
#  - else compared with mime_content_type_parse: type, subtype (both
#    lowercased by both), params.
#  - params: mail-parser reports an RFC 2231 language as an extra attribute
#    "NAME-language" just before NAME; ember has param.language. The
#    charset is not reported by mail-parser (both convert to UTF-8). An
#    empty attribute list is null in mail-parser.
#  - parameter order: mail-parser appends an RFC 2231 continued parameter
#    when it is complete; ember keeps the order of first appearance. RFC
#    2231 3 lets sections come in any order and RFC 2045 5.1 gives the
#    parameters no order, so params are compared as sorted lists.

def ct_params_ours(params):
    out = []
    for name, value, charset, language in params:
        if language:
            out.append([name + "-language", language])
        out.append([name, value])
    return sorted(out)


def map_content_type(exp, ours):
    if exp is None:
        return {"refused": True}, {"refused": ours["rc"] == -2}
    e = {"type": exp["c_type"], "subtype": exp["c_subtype"],
         "params": sorted(exp.get("attributes") or [])}
    if exp["c_subtype"] is None:
        d = ours["disp"]
        o = {"type": d["type"] if d["rc"] == 0 else None, "subtype": None,
             "params": ct_params_ours(d["params"]) if d["rc"] == 0 else []}
        e["content_type_refused"] = True
        o["content_type_refused"] = ours["rc"] == -2
        return e, o
    ok = ours["rc"] == 0
    o = {"type": ours["type"] if ok else None, "subtype": ours["subtype"] if ok else None,
         "params": ct_params_ours(ours["params"]) if ok else []}
    return e, o


# ---------------------------------------------------------------------------
# date.json (and the date of received.json)
#
# mail-parser: {"year", "month", "day", "hour", "minute", "second",
# "tz_before_gmt", "tz_hour", "tz_minute"} or null when it rejects it.
# ember: struct mime_date, zone in minutes east of UTC. Mapping: zone =
# -(tz_hour * 60 + tz_minute) when tz_before_gmt, else +; null = -2.
# (The sign of a zero zone is not compared: mail-parser writes GMT as
# "before GMT"; ember keeps "-0000" apart in flags, MIME_DATE_LOCAL.)

def map_date_value(exp):
    if exp is None:
        return None
    z = exp["tz_hour"] * 60 + exp["tz_minute"]
    return {"year": exp["year"], "month": exp["month"], "day": exp["day"],
            "hour": exp["hour"], "min": exp["minute"], "sec": exp["second"],
            "zone": -z if exp["tz_before_gmt"] else z}


def ours_date_value(d):
    if d is None:
        return None
    return {k: d[k] for k in ("year", "month", "day", "hour", "min", "sec", "zone")}


def map_date(exp, ours):
    return ({"date": map_date_value(exp)},
            {"date": ours_date_value(ours["date"] if ours["rc"] == 0 else None)})


# ---------------------------------------------------------------------------
# id.json
#
# mail-parser: the ids without "<" ">", or null when there is none. ember:
# mime_msgid_list_parse gives canonical "<l@r>" and never fails; mapping:
# brackets stripped, null = an empty list.

def map_id(exp, ours):
    ids = [i[1:-1] if i.startswith("<") and i.endswith(">") else i for i in ours["ids"]]
    return {"ids": exp or []}, {"ids": ids}


# ---------------------------------------------------------------------------
# received.json
#
# mail-parser: from/by as {"Name": host} or {"IpAddr": ip}; via, with
# (an enum of protocol names it knows), id, for_ (a path without "<" ">"),
# date; and data it digs out of the comments: from_ip, from_iprev, helo,
# helo_cmd, ident, tls_version, tls_cipher. ember: clauses (value and the
# text of the comments after it, "info"), date.
# Mapping:
#  - from, by: ember's value; "[192.0.2.1]" and "[IPv6:...]" literals and
#    a bare IP address map to {"IpAddr"} (brackets and "IPv6:" dropped),
#    anything else to {"Name"}. A keyword without a value ("" in ember,
#    "from ([10.0.0.6]) by ...") maps to absent.
#  - with: compared case-insensitively (RFC 5321 4.4 protocol names are
#    atoms from an IANA registry, RFC 3848; mail-parser's enum spells them
#    "ESMTPS", "Local" ...). mail-parser drops a name its enum lacks
#    ("with mapi", "with Thrift"): an expected absent "with" matches an
#    ember value that is not one of the enum's names.
#  - id, for: one pair of surrounding "<" ">" dropped from ember's value
#    (RFC 5321 4.4 ID may be a msg-id, For a path; mail-parser strips them).
#  - date: as in date.json; absent = no date parsed (no ";" or no valid
#    date after it).
#  - comment data: ember keeps comments as text and interprets none, so
#    each of from_ip, from_iprev, helo (with helo_cmd), ident, tls_cipher
#    and tls_version must be found in the text ember kept (values and infos
#    of all clauses, and the leading info): IP addresses compared as
#    addresses (ipaddress module: "::ffff:127.0.0.1", zero-padded IPv6),
#    tls_version "TLSv1_2" as any of "TLSv1.2", "TLS1_2", "TLS-1.2" (and
#    for 1.0 also a bare "TLSv1").

MP_WITH = {"smtp", "esmtp", "esmtps", "esmtpa", "esmtpsa", "lmtp", "lmtps", "lmtpa",
           "lmtpsa", "utf8smtp", "utf8smtps", "utf8smtpa", "utf8smtpsa", "utf8lmtp",
           "utf8lmtps", "utf8lmtpa", "utf8lmtpsa", "http", "https", "imap", "pop3",
           "mms", "local"}


def host_value(v):
    if v is None or v == "":
        return None
    lit = v[1:-1] if v.startswith("[") and v.endswith("]") else None
    cand = lit if lit is not None else v
    if cand.lower().startswith("ipv6:"):
        cand = cand[5:]
    try:
        return {"IpAddr": str(ipaddress.ip_address(cand))}
    except ValueError:
        return {"Name": v}


def strip_angle(v):
    if v and v.startswith("<") and v.endswith(">"):
        return v[1:-1]
    return v


IP_RE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")


def ips_in(text):
    out = set()
    for m in IP_RE.finditer(re.sub(r"(?i)ipv6:", " ", text)):
        tok = m.group(0).strip(".:")
        for cand in (tok, tok.rsplit(":", 1)[0], tok.rsplit(".", 1)[0]):
            try:
                out.add(ipaddress.ip_address(cand))
            except ValueError:
                pass
        if m.group(0).startswith("::"):
            try:
                out.add(ipaddress.ip_address(m.group(0)))
            except ValueError:
                pass
    return out


def tls_version_found(v, text):
    m = re.fullmatch(r"TLSv1_(\d)", v)
    if not m:
        return v in text
    pat = r"TLS\s*v?-?\s*1[._]" + m.group(1)
    if m.group(1) == "0":
        pat = "(" + pat + r"|TLS\s*v?-?1(?![._]?\d))"
    return re.search(pat, text, re.I) is not None


def map_received(exp, ours):
    e, o = {}, {}
    for key in ("from", "by"):
        e[key] = exp.get(key)
        o[key] = host_value(ours[key]["value"])
    for key in ("via", "id"):
        e[key] = exp.get(key)
        o[key] = strip_angle(ours[key]["value"]) or None
    e["for"] = exp.get("for_")
    o["for"] = strip_angle(ours["for"]["value"]) or None
    w = ours["with"]["value"] or None
    e["with"] = exp.get("with").lower() if exp.get("with") else None
    o["with"] = w.lower() if w else None
    if e["with"] is None and o["with"] is not None and o["with"] not in MP_WITH:
        o["with"] = None
    e["date"] = map_date_value(exp.get("date"))
    o["date"] = ours_date_value(ours["date"])
    # comment data: found or not in ember's text
    parts = [ours["info"]] + [ours[k][f] for k in ("from", "by", "via", "with", "id", "for")
                              for f in ("value", "info")]
    parts += [c[f] for c in ours["extra"] for f in ("name", "value", "info")]
    text = " ".join(p for p in parts if p)
    ips = ips_in(text)
    for key in ("from_ip", "from_iprev", "helo", "helo_cmd", "ident", "tls_version",
                "tls_cipher"):
        v = exp.get(key)
        if v is None:
            continue
        if isinstance(v, dict):
            v = v.get("Name") or v.get("IpAddr")
        e[key] = v
        if key == "from_ip":
            found = ipaddress.ip_address(v) in ips
        elif key == "helo_cmd":
            found = re.search(v, text, re.I) is not None
        elif key == "tls_version":
            found = tls_version_found(v, text)
        else:
            found = v in text
        o[key] = v if found else "(not in ember's text)"
    return e, o


# ---------------------------------------------------------------------------
# address.json
#
# mail-parser: {"List": [{"name", "address"}]} when there is no group, else
# {"Group": [{"name", "addresses": [...]}]} where the mailboxes outside a
# group are gathered into groups with a null name (one per run). ember:
# mime_address_list_parse_tolerant, a list of mailboxes and groups.
# Mapping:
#  - the same gathering is applied to ember's list;
#  - address = local "@" domain, with the obs-route "@a,@b:" in front when
#    there is one (mail-parser keeps it);
#  - name = the display name decoded by mime_rfc2047_decode_phrase (RFC
#    2047 5(3)); when a mailbox has no display name but a comment after the
#    addr-spec (the old "addr (Name)" convention, RFC 5322 3.4 note), the
#    comment text (encoded words decoded) stands for the name, as
#    mail-parser does.

def mailbox_ours(m):
    addr = m["local"] + "@" + m["domain"]
    if m["route"]:
        addr = m["route"] + ":" + addr
    name = m["name"] if m["name"] is not None else m["comment"]
    return {"name": name, "address": addr}


def map_address(exp, ours):
    items = ours["items"]
    if any(it["group"] for it in items):
        groups, run = [], None
        for it in items:
            if it["group"]:
                run = None
                groups.append({"name": it["name"],
                               "addresses": [mailbox_ours(m) for m in it["mailboxes"]]})
            else:
                if run is None:
                    run = {"name": None, "addresses": []}
                    groups.append(run)
                run["addresses"].append(mailbox_ours(it["mailboxes"][0]))
        o = {"Group": groups}
    else:
        o = {"List": [mailbox_ours(it["mailboxes"][0]) for it in items]}
    return exp or {"List": []}, o


# ---------------------------------------------------------------------------

KINDS = {"content_type": ("ct", map_content_type), "date": ("date", map_date),
         "id": ("id", map_id), "received": ("recv", map_received),
         "address": ("addr", map_address)}


def compare(e, o, path=""):
    """Field-by-field differences, as short lines "path: mail-parser X,
    ember Y"; dicts are compared key by key and lists of dicts of the same
    length item by item."""
    if isinstance(e, dict) and isinstance(o, dict):
        diffs = []
        for k in list(e.keys()) + [k for k in o if k not in e]:
            diffs += compare(e.get(k), o.get(k), path + "." + k if path else k)
        return diffs
    if (isinstance(e, list) and isinstance(o, list) and len(e) == len(o)
            and all(isinstance(x, dict) for x in e + o)):
        diffs = []
        for i, (x, y) in enumerate(zip(e, o)):
            diffs += compare(x, y, "%s[%d]" % (path, i))
        return diffs
    if e == o:
        return []
    return ["%s: mail-parser %s, ember %s" % (
        path or "value", json.dumps(e, ensure_ascii=False, sort_keys=True),
        json.dumps(o, ensure_ascii=False, sort_keys=True))]


def run_probe(probe, kind, vectors):
    data = bytearray()
    for v in vectors:
        body = field_body(v["header"]).encode("utf-8", "surrogateescape")
        data += b"%s %d\n" % (kind.encode(), len(body)) + body
    out = subprocess.run([probe], input=bytes(data), capture_output=True, check=True).stdout
    lines = out.decode("utf-8", "replace").splitlines()
    if len(lines) != len(vectors):
        raise SystemExit("probe gave %d lines for %d vectors" % (len(lines), len(vectors)))
    return [json.loads(line) for line in lines]


def main():
    probe, d, name = sys.argv[1:4]
    show = "--show" in sys.argv[4:]
    kind, mapper = KINDS[name]
    for f, table in KNOWN.items():
        for i, (cls, why, _) in table.items():
            assert cls in ("a", "b"), (f, i)
            assert cls == "a" or all(c in B for c in why.split("+")), (f, i, why)
    with open("%s/%s.json" % (d, name), encoding="utf-8") as f:
        vectors = json.load(f)
    results = run_probe(probe, kind, vectors)
    known = KNOWN.get(name, {})
    agree = listed_b = bugs = 0
    bad = []
    for i, (v, ours) in enumerate(zip(vectors, results)):
        e, o = mapper(v["expected"], ours)
        diffs = compare(e, o)
        k = known.get(i)
        if not diffs:
            agree += 1
            if k:
                bad.append("%s #%d: listed as (%s) but now agrees; remove it from KNOWN"
                           % (name, i, k[0]))
            continue
        if show:  # in the form of KNOWN, to classify and paste
            print('        %d: ("%s", "%s", [  # %s' % (i, k[0] if k else "?", k[1] if k else "?",
                                                      repr(v["header"])[:64]))
            print("".join("            %r,\n" % x for x in diffs) + "        ]),")
        if not k:
            bad.append("%s #%d: unlisted difference\n    header %r\n    %s"
                       % (name, i, v["header"], "\n    ".join(diffs)))
        elif k[2] != diffs:
            bad.append("%s #%d: the listed difference changed\n    header %r\n"
                       "    listed: %s\n    now:    %s"
                       % (name, i, v["header"], "\n            ".join(k[2]),
                          "\n            ".join(diffs)))
        elif k[0] == "a":
            bugs += 1
            bad.append("%s #%d: ember bug (%s)\n    %s"
                       % (name, i, k[1], "\n    ".join(diffs)))
        else:
            listed_b += 1
    for i in known:
        if i >= len(vectors):
            bad.append("%s #%d: listed but there is no such vector" % (name, i))
    for b in bad:
        print("FAIL " + b)
    print("%s: %d of %d agree, %d known differences%s" % (
        name, agree, len(vectors), listed_b, ", %d ember bugs (class a)" % bugs if bugs else ""))
    sys.exit(1 if bad else 0)


# ---------------------------------------------------------------------------
# KNOWN: file -> {vector index: (class, reason, [differences as printed])}
#   class "a": a bug in ember, to be fixed; reason = a short name for it
#   class "b": a justified difference; reason = a category of B below

B = {
    # content_type.json
    "TSPECIAL_ENDS_TOKEN":
        "RFC 2045 5.1: type, subtype and attribute are tokens, and tspecials "
        "('/', '=', ...) end a token. mail-parser keeps the bytes up to the next "
        "';' as the type or subtype ('name=value', '=', 'plain/format'); ember reads "
        "the token ('name', 'plain'; nothing for '=') and skips the rest with a "
        "defect.",
    "NON_ASCII_TOKEN":
        "RFC 2045 5.1: tokens are US-ASCII (RFC 6532 3.2 extends RFC 5322 "
        "productions, not MIME tokens), so 'á/é' is no media type; ember refuses it "
        "(-2, the RFC 2045 5.2 default applies), mail-parser takes it.",
    "BARE_CR":
        "RFC 5322 2.2, 3.2.2 and 4.2: CR appears only in CRLF; a bare CR is neither "
        "FWS nor obs-FWS and not allowed in a structured field. ember refuses the "
        "value (-2, RFC 2045 5.2 default), mail-parser skips the CR as white space.",
    "RFC2231_LATER_CHARSET":
        "RFC 2231 4.1: charset and language appear only at the beginning of the "
        "value (section 0); later sections are extended-other-values, where \"'\" "
        "is not allowed. The vector repeats \"iso-8859-1'\" in sections 1 and 2: "
        "ember keeps those characters as written (defect), mail-parser drops them.",
    "RFC2047_PARAM_SPACE":
        "RFC 2047 5: encoded words must not appear in parameter values at all. "
        "Both decode them anyway (common practice), and ember then drops the white "
        "space between adjacent encoded words as RFC 2047 6.2 says; mail-parser "
        "keeps it inside quotes (this vector) but drops it without quotes (#35).",
    "RFC2231_SECTION_LIMIT":
        "RFC 2231 3: sections are numbered from 0 without gaps. 'key*9999' after "
        "key*0 and key*1 leaves 2..9998 missing; ember accepts section numbers up "
        "to 999 only (params.c MAX_SECTION, a bound on the work per parameter) and "
        "ignores it with a defect, mail-parser appends it.",
    "RFC2231_BAD_NAMES":
        "RFC 2231 7: attribute-char excludes '*', and a name is attribute "
        "['*' section] ['*']; '3**', '4***', '*5**6*', '*****7*8*', '9*10*11*...', "
        "'15*x***fff*', '1 * 999... *' (spaces) and '18 *' are none of these. "
        "ember skips them with defects and keeps '1*2*=a' (section 2 of '1', "
        "defect for the missing sections); mail-parser guesses values for all.",
    # date.json
    "NOT_A_DATE":
        "RFC 5322 3.3, 4.3: not a date-time: a numeric month ('20 11 ... 79'), a "
        "row of numbers, or a whole Received field body (its date is read by "
        "mime_received_parse, received.json). ember refuses (-2); mail-parser "
        "picks numbers out of the text.",
    "ZONE_NOT_OBS":
        "RFC 5322 3.3, 4.3: a zone is +hhmm/-hhmm or an obs-zone made of letters "
        "only; 'EST5EDT' (a POSIX TZ string) is neither and ember refuses the date; "
        "mail-parser reads 'EST' and ignores '5EDT'.",
    "ASCTIME_DATE":
        "RFC 5322 3.3: 'Fri Feb 07 10:18:12 2003' (asctime / date(1) order) is no "
        "date-time, and ember reports no date; mail-parser's values are nonsense "
        "(second 211, month 13 or 14, year 1910).",
    "NAMED_ZONE":
        "RFC 5322 4.3: PST is -0800 and PDT -0700; ember uses these offsets, "
        "mail-parser gives 0.",
    "TWO_DIGIT_YEAR":
        "RFC 5322 4.3: a two-digit year 00-49 is 2000-2049; '03' is 2003 in ember, "
        "1903 in mail-parser.",
    "FRACTIONAL_SECONDS":
        "RFC 5322 3.3: time-of-day has no fraction of a second ('07:53:55.516'); "
        "ember reports no date, mail-parser gives second 0.",
    "DATE_NOT_LAST":
        "RFC 5322 3.6.7: the date-time follows the ';' and ends the field; ember "
        "reads everything after the last ';' as the date, and '_ Tue, 21 Jul ...' "
        "or a date followed by 'for <...>' does not parse; mail-parser skips the "
        "junk, reads the date and a 'for' after it.",
    # id.json
    "MSGID_CFWS":
        "RFC 5322 3.6.4, 4.5.4, 3.2.2: the obsolete forms allow CFWS inside the "
        "msg-id, which is not part of the id; ember gives the id canonically "
        "('1234@local.machine.example'), mail-parser keeps the text as written.",
    "MSGID_NO_BRACKETS":
        "RFC 5322 3.6.4: msg-id = [CFWS] \"<\" id-left \"@\" id-right \">\" [CFWS]; "
        "ember skips a word without angle brackets (defect), mail-parser takes it "
        "as an id (even 'm').",
    # received.json
    "WITH_AS_WRITTEN":
        "RFC 5321 4.4: the protocol of 'with' is an Atom from a registry (RFC "
        "3848); ember keeps the value as written ('Microsoft SMTPSVC', "
        "'local-esmtps', 'ESMTP-TLS', 'BSMTP', 'ESMTP/TLS/...', 'HTTPREST', "
        "'[XMail 1.20 ESMTP Server]') and mime_received_with_flags() judges it; "
        "mail-parser maps such spellings onto its own enum by guesswork.",
    "VALUE_AS_WRITTEN":
        "mime-received.h: a clause value is all its words, as written, up to the "
        "next keyword, comment or ';'. The vector has words RFC 5321 4.4 does not "
        "allow there (an address literal outside the TCP-info comment, '<server>', "
        "'[ip]:port', a trailing ',', which is no RFC 5322 3.6.7 received-token, "
        "a comment inside '[...]', 'for <address>' that is no Path, 'from mail "
        "pickup service', 'named unknown'), or a missing separator ('846CF2117for "
        "<...>', no ';' before the date); ember keeps the words, mail-parser "
        "keeps the first word or drops what it does not recognise.",
    "SLASH_IS_ATEXT":
        "RFC 5322 3.2.3: '/' is atext, so 'EE/20-30863-33CE1054' and "
        "'Unknown/Local' are single atoms (RFC 5321 4.4 ID = Atom); mail-parser "
        "cuts at the '/'.",
    "REPEATED_CLAUSE":
        "RFC 5321 4.4: one 'by' clause; with two, ember keeps the first ('by "
        "alpha', the second goes to extra with a defect, mime-received.h), "
        "mail-parser the last ('by uid').",
    "FROM_IN_COMMENT":
        "RFC 5322 3.2.2: a comment is not a clause; '(from localhost ...)', "
        "'(qmail 84907 invoked from network)', '(Postfix, from userid 1002)' are "
        "kept by ember as comment text (info), mail-parser digs a 'from' out of them.",
    # address.json
    "COMMENT_NOT_NAME":
        "RFC 5322 3.2.2, 3.4: comments are not part of a display name (RFC 5322 "
        "A.5: 'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>' is "
        "Pete's address); ember drops them (and uses a comment only where there is "
        "no display name at all, the old 'addr (Name)' convention). mail-parser "
        "appends comment text to names, and makes a comment alone into a mailbox "
        "without address ('(the end of the group)', '(nobody(that I know))').",
    "FOLDED_QUOTED_PAIR":
        "RFC 5322 3.2.1, 4.1: a quoted-pair is '\\' and the next character; in "
        "'(A nice \\<LF> ) chap)' the '\\' quotes the line break (obs-qp) or, "
        "unfolded, the space, never the ')', so the comment closes there and "
        "' chap)' is malformed; ember skips the mailbox (defect), mail-parser "
        "reads it as vector #8.",
    "OBS_DOMAIN_CFWS":
        "RFC 5322 4.4, 3.2.2: obs-domain allows CFWS around '.', which is not part "
        "of the domain; ember gives 'test.example', mail-parser keeps the white "
        "space ('test  . example').",
    "RFC2047_IN_QUOTED":
        "RFC 2047 5 (3): an encoded-word MUST NOT appear within a quoted-string; "
        "ember leaves '\"=?ISO-8859-1?Q?a?= b\"' as written, mail-parser decodes it.",
    "NOT_AN_ADDRESS_LIST":
        "RFC 2369 3: these are List-* field values (URLs in angle brackets, "
        "List-Post 'NO'), not RFC 5322 3.4 address lists; '<http://...>' has no "
        "addr-spec, so ember's address parser skips them (defects); mail-parser "
        "reads them with its address parser.",
    "JUNK_AS_NAME":
        "RFC 5322 3.2.5, 3.4: a display name is a phrase before the angle-addr; "
        "'phil@example.com <...>' ('@' is no phrase character) and '<a@b.com> "
        "=?utf-8?q?Doe?=' (words after the angle-addr) have none; ember reads the "
        "address and skips the rest (defect), mail-parser makes a name of it.",
}

KNOWN = {
    "content_type": {
        31: ("b", "RFC2231_LATER_CHARSET", [  # 'application/pdf\n   filename*0*=iso-8859-1\'es\'%D1and%FA\n   f
            'params: mail-parser [["filename", "Ñandú rápido (versión \'99 \\"oficial\\").pdf"], ["filename-language", "es"]], ember [["filename", "Ñandúiso-8859-1\' rápidoiso-8859-1\' (versión \'99 \\"oficial\\").pdf"], ["filename-language", "es"]]',
        ]),
        34: ("b", "RFC2047_PARAM_SPACE", [  # 'image/jpeg;\n   name="=?iso-8859-1?B?4Q==?= =?utf-8?B?w6k=?= =?
            'params: mail-parser [["name", "á é í.jpeg"]], ember [["name", "áéí.jpeg"]]',
        ]),
        47: ("b", "TSPECIAL_ENDS_TOKEN", [  # '=\n'
            'type: mail-parser "=", ember null',
        ]),
        48: ("b", "TSPECIAL_ENDS_TOKEN", [  # 'name=value\n'
            'type: mail-parser "name=value", ember "name"',
        ]),
        54: ("b", "NON_ASCII_TOKEN", [  # 'á/é; á=é\n'
            'type: mail-parser "á", ember null',
            'subtype: mail-parser "é", ember null',
            'params: mail-parser [["á", "é"]], ember []',
        ]),
        58: ("b", "TSPECIAL_ENDS_TOKEN", [  # 'name=value\n'
            'type: mail-parser "name=value", ember "name"',
        ]),
        59: ("b", "RFC2231_SECTION_LIMIT", [  # 'test/encoded; key4*=us-ascii\'\'foo; key*9999=ba%; key2*0=a; ke
            'params: mail-parser [["key", "f\\u0000oobazba%"], ["key2", "ab%"], ["key3", "xyzplop%"], ["key3-language", "en"], ["key4", "foo"]], ember [["key", "f\\u0000oobaz"], ["key2", "ab%"], ["key3", "xyzplop%"], ["key3-language", "en"], ["key4", "foo"]]',
        ]),
        61: ("b", "RFC2231_BAD_NAMES", [  # 'malicious/attempt; 1*2*=a; 3**=b; 4***=c; *5**6*=d;*****7*8*=e;
            'params: mail-parser [["1", "ha"], ["15", "==g"], ["18", "*=*=*=*==i"], ["3", "b"], ["4", "c"], ["5", "d"], ["7", "e"], ["9", "f"]], ember [["1", "a"]]',
        ]),
        76: ("b", "TSPECIAL_ENDS_TOKEN", [  # 'text/plain/format\n'
            'subtype: mail-parser "plain/format", ember "plain"',
        ]),
        77: ("b", "TSPECIAL_ENDS_TOKEN", [  # 'text/plain/format;charset=us-ascii\n'
            'subtype: mail-parser "plain/format", ember "plain"',
        ]),
        78: ("b", "TSPECIAL_ENDS_TOKEN", [  # 'text/plain/format ;charset=us-ascii\n'
            'subtype: mail-parser "plain/format", ember "plain"',
        ]),
        98: ("b", "BARE_CR", [  # ' \t\r message/rfc822 \t\r\n\n'
            'type: mail-parser "message", ember null',
            'subtype: mail-parser "rfc822", ember null',
        ]),
        99: ("b", "BARE_CR", [  # ' \t\r message/rfc822 \t ;charset=us-ascii\r\n\n'
            'type: mail-parser "message", ember null',
            'subtype: mail-parser "rfc822", ember null',
            'params: mail-parser [["charset", "us-ascii"]], ember []',
        ]),
        100: ("b", "BARE_CR", [  # ' \t\r message/rfc822 \t ; charset=us-ascii\r\n'
            'type: mail-parser "message", ember null',
            'subtype: mail-parser "rfc822", ember null',
            'params: mail-parser [["charset", "us-ascii"]], ember []',
        ]),
    },
    "date": {
        10: ("b", "NOT_A_DATE", [  # '20 11 (some \n 44 comments(more comments\n )) 79 05:34:27 -0300
            'date: mail-parser {"day": 20, "hour": 5, "min": 34, "month": 11, "sec": 27, "year": 1979, "zone": -180}, ember null',
        ]),
        12: ("b", "NOT_A_DATE", [  # ' 4 8 15 16 23 42, 4 8 15 16 23 42, 4 8 15 16 23 42, '
            'date: mail-parser {"day": 4, "hour": 16, "min": 23, "month": 8, "sec": 42, "year": 2015, "zone": 4}, ember null',
        ]),
        28: ("b", "NOT_A_DATE", [  # 'by 2002:aa7:cd10:0:b0:45c:2c83:1208 with SMTP id b16-20020aa7cd
            'date: mail-parser {"day": 10, "hour": 10, "min": 31, "month": 10, "sec": 15, "year": 2022, "zone": -420}, ember null',
        ]),
        30: ("b", "ZONE_NOT_OBS", [  # 'Thu, 10 Jul 1997 14:53:31 EST5EDT'
            'date: mail-parser {"day": 10, "hour": 14, "min": 53, "month": 7, "sec": 31, "year": 1997, "zone": -300}, ember null',
        ]),
    },
    "id": {
        6: ("b", "MSGID_CFWS", [  # '<1234   @   local(blah)  .machine .example>\n'
            'ids: mail-parser ["1234   @   local(blah)  .machine .example"], ember ["1234@local.machine.example"]',
        ]),
        8: ("b", "MSGID_NO_BRACKETS", [  # 'malformed@id.machine.example\n'
            'ids: mail-parser ["malformed@id.machine.example"], ember []',
        ]),
        9: ("b", "MSGID_NO_BRACKETS", [  # '   malformed2@id.machine.example \t  \n'
            'ids: mail-parser ["malformed2@id.machine.example"], ember []',
        ]),
        10: ("b", "MSGID_NO_BRACKETS", [  # '   m \n'
            'ids: mail-parser ["m"], ember []',
        ]),
    },
    "received": {
        0: ("b", "WITH_AS_WRITTEN", [  # 'from unknown (HELO MP61M.F-I.DE) () by p01ev.mail.s-web.de with
            'with: mail-parser "esmtp", ember "esmtp/tls/dhe-rsa-aes256-gcm-sha384"',
        ]),
        13: ("b", "ASCTIME_DATE", [  # 'FROM ca-ex-bridge1.nai.com BY scwsout1.nai.com ; Fri Feb 07 10:
            'date: mail-parser {"day": 2, "hour": 18, "min": 12, "month": 7, "sec": 211, "year": 1910, "zone": -480}, ember null',
        ]),
        15: ("b", "VALUE_AS_WRITTEN", [  # 'from av0001.technodiva.com (localhost [127.0.0.1])by  localhost
            'id: mail-parser "846CF2117for", ember "846CF2117for <proftp-user@lists.sourceforge.net>"',
        ]),
        18: ("b", "WITH_AS_WRITTEN", [  # 'from inet-vrs-05.redmond.corp.microsoft.com ([157.54.6.157]) by
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        19: ("b", "WITH_AS_WRITTEN", [  # 'from 0 ([61.31.135.91]) by bass.bass.com.eg with Microsoft SMTP
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        20: ("b", "WITH_AS_WRITTEN", [  # 'from 0 ([61.31.138.57] RDNS failed) by nccdi.com with Microsoft
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        21: ("b", "WITH_AS_WRITTEN", [  # 'from tthompson ([217.35.105.172] unverified) by mail.neosintera
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        22: ("b", "WITH_AS_WRITTEN", [  # 'from ([172.16.1.78]) by email2.codeworksonline.com with Microso
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        23: ("b", "VALUE_AS_WRITTEN+WITH_AS_WRITTEN", [  # 'from mail pickup service by mail1.insuranceiq.com with Microsof
            'from.Name: mail-parser "mail", ember "mail pickup service"',
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        24: ("b", "WITH_AS_WRITTEN", [  # 'from EXC-DAG-02.global.net (10.45.252.152) by EXC-DAG-02.global
            'with: mail-parser "smtp", ember "microsoft smtp server"',
        ]),
        26: ("b", "WITH_AS_WRITTEN", [  # 'from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.n
            'with: mail-parser "esmtp", ember "[xmail 1.20 esmtp server]"',
        ]),
        27: ("b", "WITH_AS_WRITTEN", [  # 'from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.n
            'with: mail-parser "esmtp", ember "[xmail 1.20 esmtp server]"',
        ]),
        28: ("b", "SLASH_IS_ATEXT", [  # 'from ([10.225.209.19:33672]) by ecelerity-va-1 (ecelerity HEAD)
            'id: mail-parser "EE", ember "EE/20-30863-33CE1054"',
        ]),
        29: ("b", "SLASH_IS_ATEXT", [  # 'from ([127.0.0.1:32923]) by bm1-21.ed10.com (ecelerity 2.1.1ea 
            'id: mail-parser "8B", ember "8B/57-16227-3764EB44"',
        ]),
        30: ("b", "SLASH_IS_ATEXT", [  # 'from ([192.168.1.151:49601] helo=dev1.democracyinaction.org) by
            'id: mail-parser "52", ember "52/92-02454-89FBA054"',
        ]),
        31: ("b", "WITH_AS_WRITTEN", [  # 'from root (helo=candygram.thunk.org) by thunker.thunk.org with 
            'with: mail-parser "esmtps", ember "local-esmtps"',
        ]),
        32: ("b", "WITH_AS_WRITTEN", [  # 'from root (helo=localhost) by broadcast.iac.iafrica.com with lo
            'with: mail-parser "smtp", ember "local-bsmtp"',
        ]),
        33: ("b", "WITH_AS_WRITTEN", [  # 'from smarter (helo=localhost) by mx1-out.lists.smarterliving.co
            'with: mail-parser "smtp", ember "local-bsmtp"',
        ]),
        42: ("b", "VALUE_AS_WRITTEN", [  # 'from boggle.ihug.co.nz [203.109.252.209] by grunt6.ihug.co.nz w
            'from.Name: mail-parser "boggle.ihug.co.nz", ember "boggle.ihug.co.nz [203.109.252.209]"',
        ]),
        67: ("b", "NAMED_ZONE", [  # 'from [193.220.176.134] by web40310.mail.yahoo.com via HTTP; Wed
            'date.zone: mail-parser 0, ember -480',
        ]),
        69: ("b", "VALUE_AS_WRITTEN", [  # 'from (64.52.135.194 [64.52.135.194]) by mail.unearthed.com with
            'id: mail-parser "BQB0hUH2", ember "BQB0hUH2 Thu, 20 Feb 2003 16:13:20 -0700"',
        ]),
        71: ("b", "WITH_AS_WRITTEN", [  # 'from  ([172.16.1.78]) by email2.codeworksonline.com with Micros
            'with: mail-parser "smtp", ember "microsoft smtpsvc"',
        ]),
        74: ("b", "VALUE_AS_WRITTEN", [  # 'from acecomms [202.83.84.95] by mailscan.acenet.net.au [202.83.
            'from.Name: mail-parser "acecomms", ember "acecomms [202.83.84.95]"',
            'by.Name: mail-parser "mailscan.acenet.net.au", ember "mailscan.acenet.net.au [202.83.84.27]"',
        ]),
        75: ("b", "VALUE_AS_WRITTEN", [  # 'from smtp510.aspkunden.de [(134.97.4.21)] by mail.aspemail.de (
            'from.Name: mail-parser "smtp510.aspkunden.de", ember "smtp510.aspkunden.de ["',
        ]),
        83: ("b", "VALUE_AS_WRITTEN", [  # 'from cabbage.jmason.org [127.0.0.1] by localhost with IMAP (fet
            'from.Name: mail-parser "cabbage.jmason.org", ember "cabbage.jmason.org [127.0.0.1]"',
        ]),
        89: ("b", "TWO_DIGIT_YEAR", [  # 'from snake.corp.yahoo.com(216.145.52.229) by x.x.org via smap (
            'date.year: mail-parser 1903, ember 2003',
        ]),
        90: ("b", "TWO_DIGIT_YEAR", [  # 'from smtp.greyware.com(208.14.208.51, HELO smtp.sff.net) by x.x
            'date.year: mail-parser 1904, ember 2004',
        ]),
        95: ("b", "WITH_AS_WRITTEN", [  # 'from faerber.muc.de by slarti.muc.de with BSMTP (rsmtp-qm-ot 0.
            'with: mail-parser "smtp", ember "bsmtp"',
        ]),
        98: ("b", "WITH_AS_WRITTEN", [  # 'from [192.168.1.104] (account nazgul HELO [192.168.1.104]) by s
            'with: mail-parser "esmtps", ember "esmtp-tls"',
        ]),
        107: ("b", "VALUE_AS_WRITTEN", [  # 'from [10.128.128.81]:50999 (HELO dfintra.f-secure.com) by fsav4
            'from.IpAddr: mail-parser "10.128.128.81", ember null',
            'from.Name: mail-parser null, ember "[10.128.128.81]:50999"',
        ]),
        109: ("b", "VALUE_AS_WRITTEN", [  # 'from oemcomputer [63.232.189.195] by highstream.net (SMTPD32-7.
            'from.Name: mail-parser "oemcomputer", ember "oemcomputer [63.232.189.195]"',
        ]),
        111: ("b", "VALUE_AS_WRITTEN", [  # 'from [192.168.0.13] by <server> (MailGate 3.5.172) with SMTP; T
            'by.Name: mail-parser "server", ember "<server>"',
        ]),
        112: ("b", "VALUE_AS_WRITTEN", [  # 'from jmason.org (unverified [195.218.107.131]) by ni-mail1.dna.
            'by.Name: mail-parser "ni-mail1.dna.utvinternet.net", ember "ni-mail1.dna.utvinternet.net <B0014212518@ni-mail1.dna.utvinternet.net>"',
        ]),
        113: ("b", "WITH_AS_WRITTEN", [  # 'from [212.87.144.30] (account seiz [212.87.144.30] verified) by
            'with: mail-parser "esmtps", ember "esmtp-tls"',
        ]),
        117: ("b", "VALUE_AS_WRITTEN+ASCTIME_DATE", [  # 'from TCE-E-7-182-54.bta.net.cn(202.106.182.54) via SMTP by st.t
            'by.Name: mail-parser "st.tahina.priv.at", ember "st.tahina.priv.at,"',
            'date: mail-parser {"day": 11, "hour": 50, "min": 12, "month": 13, "sec": 213, "year": 1914, "zone": 0}, ember null',
        ]),
        118: ("b", "VALUE_AS_WRITTEN+ASCTIME_DATE", [  # 'from pl027.nas934.d-osaka.nttpc.ne.jp(61.197.82.27), claiming t
            'by.Name: mail-parser "st.tahina.priv.at", ember "st.tahina.priv.at,"',
            'date: mail-parser {"day": 11, "hour": 38, "min": 52, "month": 13, "sec": 213, "year": 1915, "zone": 0}, ember null',
        ]),
        121: ("b", "WITH_AS_WRITTEN", [  # 'from paul (helo=felix) by felix.peema.org with local-esmtp (Exi
            'with: mail-parser "esmtp", ember "local-esmtp"',
        ]),
        123: ("b", "REPEATED_CLAUSE", [  # 'from qmail-scanner-general-admin@lists.sourceforge.net by alpha
            'by.Name: mail-parser "uid", ember "alpha"',
        ]),
        125: ("b", "SLASH_IS_ATEXT", [  # 'from Unknown/Local ([?.?.?.?]) by mailcity.com; Fri, 17 Jan 200
            'from.Name: mail-parser "Unknown", ember "Unknown/Local"',
        ]),
        128: ("b", "DATE_NOT_LAST", [  # 'from olgisoft.com (127.0.0.1) by 127.0.0.1 (EzMTS MTSSmtp 1.55d
            'for: mail-parser "asrg@ietf.org", ember null',
            'date: mail-parser {"day": 20, "hour": 10, "min": 6, "month": 3, "sec": 43, "year": 1903, "zone": 60}, ember null',
        ]),
        138: ("b", "DATE_NOT_LAST", [  # 'from testintranator.net.vm ([unix socket])_ by testintranator.n
            'date: mail-parser {"day": 21, "hour": 14, "min": 34, "month": 7, "sec": 14, "year": 2009, "zone": 120}, ember null',
        ]),
        144: ("b", "FRACTIONAL_SECONDS", [  # 'from MjA3NDc4Mg (unknown) by ismtpd0001p1lon1.sendgrid.net (SG)
            'date: mail-parser {"day": 2, "hour": 7, "min": 53, "month": 4, "sec": 0, "year": 2020, "zone": 0}, ember null',
        ]),
        147: ("b", "WITH_AS_WRITTEN", [  # 'from ([127.0.0.1]) with MailEnable ESMTP; Wed, 10 Jul 2019 10:2
            'with: mail-parser "esmtp", ember "mailenable esmtp"',
        ]),
        149: ("b", "VALUE_AS_WRITTEN+WITH_AS_WRITTEN", [  # 'from 384836569573 named unknown by gmailapi.google.com with HTT
            'from.Name: mail-parser "384836569573", ember "384836569573 named unknown"',
            'with: mail-parser "http", ember "httprest"',
        ]),
        151: ("b", "VALUE_AS_WRITTEN+ASCTIME_DATE", [  # 'from [<4124973-137966-3089@be2.maropost.com>] ([<4124973-137966
            'from: mail-parser null, ember {"Name": "[<4124973-137966-3089@be2.maropost.com>]"}',
            'date: mail-parser {"day": 9, "hour": 36, "min": 56, "month": 14, "sec": 226, "year": 1914, "zone": 0}, ember null',
        ]),
        153: ("b", "VALUE_AS_WRITTEN", [  # 'from mail-qw0-f46.google.com (mail-qw0-f46.google.com [209.85.2
            'for: mail-parser null, ember "address"',
        ]),
        156: ("b", "WITH_AS_WRITTEN", [  # 'from DB6PR07MB3286.eurprd07.prod.outlook.com (10.175.233.33) by
            'with: mail-parser "smtp", ember "microsoft smtp server"',
        ]),
        161: ("b", "FROM_IN_COMMENT", [  # '(from localhost [24.180.47.240]) by host.name (NAVGW 2.5.2.12) 
            'from: mail-parser {"Name": "localhost"}, ember null',
        ]),
        162: ("b", "FROM_IN_COMMENT", [  # '(from username@localhost) by home.example.com (8.12.11/8.12.11/
            'from: mail-parser {"Name": "username@localhost"}, ember null',
        ]),
        163: ("b", "FROM_IN_COMMENT+NAMED_ZONE", [  # '(from vashugins@juno.com)  by m06.lax.untd.com (jqueuemail) id 
            'from: mail-parser {"Name": "vashugins@juno.com"}, ember null',
            'date.zone: mail-parser 0, ember -420',
        ]),
        165: ("b", "FROM_IN_COMMENT", [  # '(qmail 84907 invoked from network); 13 Feb 2003 20:59:28 -0000\
            'from: mail-parser {"Name": "network"}, ember null',
        ]),
        171: ("b", "FROM_IN_COMMENT", [  # 'by oak.ein.cz (Postfix, from userid 1002) id DABBD1BED3; Thu, 1
            'from: mail-parser {"Name": "userid"}, ember null',
        ]),
    },
    "address": {
        8: ("b", "COMMENT_NOT_NAME", [  # 'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\
            'List[0].name: mail-parser "Pete (A nice ) chap his account his host)", ember "Pete"',
        ]),
        9: ("b", "FOLDED_QUOTED_PAIR", [  # 'Pete(A nice \n \\\n ) chap) <pete(his\n account)@silly\n .test(
            'List: mail-parser [{"address": "pete@silly.test", "name": "Pete (A nice ) chap his account his host)"}], ember []',
        ]),
        10: ("b", "COMMENT_NOT_NAME", [  # "A Group(Some people)\n        :Chris Jones <c@(Chris's host.)pu
            'Group: mail-parser [{"addresses": [{"address": "c@public.example", "name": "Chris Jones (Chris\'s host.)"}, {"address": "joe@example.org", "name": null}, {"address": "jdoe@one.test", "name": "John (my dear friend)"}], "name": "A Group (Some people)"}, {"addresses": [{"address": null, "name": "the end of the group"}], "name": null}], ember [{"addresses": [{"address": "c@public.example", "name": "Chris Jones"}, {"address": "joe@example.org", "name": null}, {"address": "jdoe@one.test", "name": "John"}], "name": "A Group"}]',
        ]),
        11: ("b", "COMMENT_NOT_NAME", [  # '(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
            'Group[0].name: mail-parser "Hidden recipients (Empty list start)", ember "Hidden recipients"',
            'Group[0].addresses: mail-parser [{"address": null, "name": "nobody(that I know)"}], ember []',
        ]),
        13: ("b", "OBS_DOMAIN_CFWS", [  # 'Mary Smith <@node.test:mary@example.net>, , jdoe@test  . exampl
            'List[1].address: mail-parser "jdoe@test  . example", ember "jdoe@test.example"',
        ]),
        14: ("b", "COMMENT_NOT_NAME+OBS_DOMAIN_CFWS", [  # 'John Doe <jdoe@machine(comment).  example>\n'
            'List[0].name: mail-parser "John Doe (comment)", ember "John Doe"',
            'List[0].address: mail-parser "jdoe@machine.  example", ember "jdoe@machine.example"',
        ]),
        22: ("b", "COMMENT_NOT_NAME", [  # 'Nathaniel Borenstein <nsb@thumper.bellcore.com>\n    (=?iso-885
            'List[0].name: mail-parser "Nathaniel Borenstein (םולש ןב ילטפנ)", ember "Nathaniel Borenstein"',
        ]),
        25: ("b", "RFC2047_IN_QUOTED", [  # '"=?ISO-8859-1?Q?a?= b" <test@test.com>\n'
            'List[0].name: mail-parser "a b", ember "=?ISO-8859-1?Q?a?= b"',
        ]),
        28: ("b", "RFC2047_IN_QUOTED", [  # '=?ISO-8859-1?Q?a?= "=?ISO-8859-2?Q?_b?=" <test@test.com>\n'
            'List[0].name: mail-parser "a b", ember "a =?ISO-8859-2?Q?_b?="',
        ]),
        31: ("b", "RFC2047_IN_QUOTED", [  # '"=?ISO-8859-1?Q =?ISO-8859-1?Q?a?= \\" =?ISO-8859-1?Q?b?=" <las
            'List[0].name: mail-parser "=?ISO-8859-1?Q a \\" b", ember "=?ISO-8859-1?Q =?ISO-8859-1?Q?a?= \\" =?ISO-8859-1?Q?b?="',
        ]),
        36: ("b", "RFC2047_IN_QUOTED", [  # '"=?utf-8?b?VGjDrXMgw61zIHbDoWzDrWQgw5pURjg=?=": addr1@test.com,
            'Group[0].name: mail-parser "Thís ís válíd ÚTF8", ember "=?utf-8?b?VGjDrXMgw61zIHbDoWzDrWQgw5pURjg=?="',
        ]),
        37: ("b", "NOT_AN_ADDRESS_LIST", [  # '<http://www.host.com/list/archive/> (Web Archive)\n'
            'List: mail-parser [{"address": "http://www.host.com/list/archive/", "name": "Web Archive"}], ember []',
        ]),
        38: ("b", "NOT_AN_ADDRESS_LIST", [  # '<mailto:archive@host.com?subject=index%20list>\n'
            'List: mail-parser [{"address": "mailto:archive@host.com?subject=index%20list", "name": null}], ember []',
        ]),
        39: ("b", "NOT_AN_ADDRESS_LIST", [  # '<mailto:moderator@host.com> (Postings are Moderated)\n'
            'List: mail-parser [{"address": "mailto:moderator@host.com", "name": "Postings are Moderated"}], ember []',
        ]),
        40: ("b", "NOT_AN_ADDRESS_LIST", [  # '(Use this command to join the list)\n   <mailto:list-manager@ho
            'List: mail-parser [{"address": "mailto:list-manager@host.com?body=subscribe%20list", "name": "Use this command to join the list"}], ember []',
        ]),
        41: ("b", "NOT_AN_ADDRESS_LIST", [  # '<http://www.host.com/list.cgi?cmd=sub&lst=list>,\n   <mailto:li
            'List: mail-parser [{"address": "http://www.host.com/list.cgi?cmd=sub&lst=list", "name": null}, {"address": "mailto:list-manager@host.com?body=subscribe%20list", "name": null}], ember []',
        ]),
        42: ("b", "NOT_AN_ADDRESS_LIST", [  # 'NO (posting not allowed on this list)\n'
            'List: mail-parser [{"address": "NO", "name": "posting not allowed on this list"}], ember []',
        ]),
        43: ("b", "NOT_AN_ADDRESS_LIST", [  # '<ftp://ftp.host.com/list.txt> (FTP),\n   <mailto:list@host.com?
            'List: mail-parser [{"address": "ftp://ftp.host.com/list.txt", "name": "FTP"}, {"address": "mailto:list@host.com?subject=help", "name": null}], ember []',
        ]),
        44: ("b", "NOT_AN_ADDRESS_LIST", [  # '<http://www.host.com/list/>, <mailto:list-info@host.com>\n'
            'List: mail-parser [{"address": "http://www.host.com/list/", "name": null}, {"address": "mailto:list-info@host.com", "name": null}], ember []',
        ]),
        45: ("b", "NOT_AN_ADDRESS_LIST", [  # '(Use this command to get off the list)\n     <mailto:list-manag
            'List: mail-parser [{"address": "mailto:list-manager@host.com?body=unsubscribe%20list", "name": "Use this command to get off the list"}], ember []',
        ]),
        46: ("b", "NOT_AN_ADDRESS_LIST", [  # '<http://www.host.com/list.cgi?cmd=unsub&lst=list>,\n   <mailto:
            'List: mail-parser [{"address": "http://www.host.com/list.cgi?cmd=unsub&lst=list", "name": null}, {"address": "mailto:list-request@host.com?subject=unsubscribe", "name": null}], ember []',
        ]),
        47: ("b", "NOT_AN_ADDRESS_LIST", [  # '<mailto:listmom@host.com> (Contact Person for Help)\n'
            'List: mail-parser [{"address": "mailto:listmom@host.com", "name": "Contact Person for Help"}], ember []',
        ]),
        51: ("b", "JUNK_AS_NAME", [  # 'phil@example.com <phil@example.com>\n'
            'List[0].name: mail-parser "phil@example.com", ember null',
        ]),
        55: ("b", "JUNK_AS_NAME", [  # '<a@b.com> =?utf-8?q?Doe?=\n'
            'List[0].name: mail-parser "Doe", ember null',
        ]),
        56: ("b", "COMMENT_NOT_NAME", [  # 'Name (comment) =?utf-8?q?Doe?= <a@b.com>\n'
            'List[0].name: mail-parser "Name Doe (comment)", ember "Name Doe"',
        ]),
        59: ("b", "RFC2047_IN_QUOTED", [  # '"foo =?utf-8?q?bar?=" <a@b.com>\n'
            'List[0].name: mail-parser "foo bar", ember "foo =?utf-8?q?bar?="',
        ]),
    },
}


if __name__ == "__main__":
    main()

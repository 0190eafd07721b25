#!/usr/bin/python3
"""Generate a varied, deterministic corpus of MIME messages with Python's
email package: pycorpus.py [--seed S] [-n N] [--max-attach BYTES] OUTDIR.

Files OUTDIR/NNNNN.eml. The same seed gives the same bytes. Covered: ASCII
and non-ASCII headers (Latin, Cyrillic, CJK, emoji; RFC 2047 in several
charsets), text bodies in utf-8, iso-8859-1, iso-8859-15, windows-1252 and
koi8-r, every transfer encoding, multipart/mixed, alternative, related and
digest nested up to four levels, message/rfc822 attachments, RFC 2231 file
names, binary attachments from 0 B to --max-attach, long lines, long folded
fields, empty bodies, "From " and "." lines, preamble and epilogue, CRLF
(policy SMTP) and LF line ends. Standard library only."""

import argparse
import datetime
import email.headerregistry
import email.policy
import math
import multiprocessing
import os
import random
import sys
from email.header import Header
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

WORDS = {
    "ascii": "lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
             "eiusmod tempor incididunt ut labore et dolore magna aliqua".split(),
    "latin": "café naïve résumé façade über Straße élève garçon œuvre déjà "
             "señor Ångström smørrebrød crème brûlée €uro".split(),
    "cyrillic": "привет мир почта сообщение письмо вложение текст документ "
                "Съешь же ещё этих мягких французских булок".split(),
    "cjk": "こんにちは 世界 メール 添付 文書 你好 邮件 附件 한국어 메일 日本語".split(),
    "emoji": "🙂 📎 ✉ 🚀 🎉 ☕ 🦆".split(),
}
CHARSETS = ["utf-8", "iso-8859-1", "iso-8859-15", "windows-1252", "koi8-r"]
NAMES = ["Alice Martin", "Bob O'Neil", "Zoë Dupré", "Jürgen Groß",
         "Иван Петров", "Наталья", "山田 太郎", "李小龙", "Ana 🌸", "Smith, John"]
BIN_TYPES = [("application", "octet-stream", "bin"), ("application", "pdf", "pdf"),
             ("image", "png", "png"), ("image", "jpeg", "jpg"),
             ("application", "zip", "zip"), ("audio", "ogg", "ogg")]
FILE_STEMS = ["report", "photo 2024", "résumé", "отчёт", "写真", "données-brutes",
              "a" * 90, "notes (final) v2", "café crème " * 6, "🎉party"]
EDGE_SIZES = [0, 1, 2, 3, 56, 57, 58, 75, 76, 77, 1024, 65535, 65536]
SPECIAL_LINES = ["From the desk of the editor", "From here on, all is well.",
                 ".", "..", ".leading dot", "", " leading space", "trailing space ",
                 "tab\tin line", "--not-a-boundary", "=3D looks encoded",
                 "Subject: not a header"]


def encodable(words, charset):
    ok = []
    for w in words:
        try:
            w.encode(charset)
            ok.append(w)
        except UnicodeEncodeError:
            pass
    return ok


class Gen:
    def __init__(self, rng, max_attach):
        self.rng = rng
        self.max_attach = max_attach

    # ---- text ------------------------------------------------------------
    def words(self, charset="utf-8"):
        r = self.rng
        scripts = ["ascii"] * 3 + (["latin", "cyrillic", "cjk", "emoji"]
                                   if charset == "utf-8" else ["latin", "cyrillic"])
        pool = encodable(WORDS[r.choice(scripts)], charset) or WORDS["ascii"]
        return pool

    def phrase(self, n, charset="utf-8"):
        return " ".join(self.rng.choices(self.words(charset), k=n))

    def text(self, charset, cte):
        """A body: random lines, special lines, sometimes a long line."""
        r = self.rng
        if cte == "7bit" or charset == "us-ascii":
            charset = "ascii"
        lines = []
        for _ in range(r.choice([1, 2, 5, 10, 40, 200])):
            k = r.random()
            if k < 0.1:
                lines.append(r.choice(SPECIAL_LINES))
            elif k < 0.13:
                # long line: below 998 octets unless the encoding wraps it
                cap = 3000 if cte in ("quoted-printable", "base64") else 900
                s = self.phrase(r.randint(60, 400), charset)
                while len(s.encode(charset)) > cap:
                    s = s[: len(s) * 3 // 4]
                lines.append(s)
            else:
                lines.append(self.phrase(r.randint(1, 12), charset))
        return "\n".join(lines) + "\n"

    def pick_charset_cte(self):
        r = self.rng
        cs = r.choice(CHARSETS + ["utf-8", "us-ascii"])
        cte = r.choice(["7bit", "8bit", "quoted-printable", "base64", None])
        return cs, cte

    def text_part(self, subtype="plain", part=None):
        r = self.rng
        part = part if part is not None else MIMEPart(email.policy.default)
        cs, cte = self.pick_charset_cte()
        body = self.text(cs, cte)
        if subtype == "html":
            body = "<html><body><p>" + body.replace("\n", "</p>\n<p>") + "</p></body></html>\n"
        part.set_content(body, subtype=subtype, charset=cs, cte=cte)
        if r.random() < 0.05:
            part.set_payload("")  # a really empty body
        return part

    # ---- attachments -----------------------------------------------------
    def size(self):
        r = self.rng
        if r.random() < 0.2:
            return min(r.choice(EDGE_SIZES), self.max_attach)
        return int(math.exp(r.uniform(0, math.log(self.max_attach + 1)))) - 1

    def filename(self, ext):
        r = self.rng
        stem = r.choice(FILE_STEMS)
        return "%s.%s" % (stem.strip(), ext)

    def binary_part(self, disposition="attachment"):
        r = self.rng
        maintype, subtype, ext = r.choice(BIN_TYPES)
        data = r.randbytes(self.size())
        cte = "quoted-printable" if r.random() < 0.1 else "base64"
        part = MIMEPart(email.policy.default)
        how = r.random()
        if how < 0.75:
            part.set_content(data, maintype, subtype, cte=cte,
                             disposition=disposition, filename=self.filename(ext))
        elif how < 0.9:
            # only the Content-Type name parameter carries the file name
            part.set_content(data, maintype, subtype, cte=cte)
            part.set_param("name", self.filename(ext))
        else:
            part.set_content(data, maintype, subtype, cte=cte, disposition=disposition)
        return part

    def text_attachment(self):
        r = self.rng
        part = self.text_part(r.choice(["plain", "csv", "x-log"]))
        part.add_header("Content-Disposition", "attachment",
                        filename=self.filename(r.choice(["txt", "csv", "log"])))
        return part

    def attachment(self, depth):
        k = self.rng.random()
        if k < 0.15 and depth > 0:
            return self.rfc822_part(depth - 1)
        if k < 0.35:
            return self.text_attachment()
        return self.binary_part()

    def rfc822_part(self, depth):
        part = MIMEPart(email.policy.default)
        part.set_content(self.message(depth), disposition="attachment"
                         if self.rng.random() < 0.5 else None)
        return part

    # ---- containers --------------------------------------------------------
    def container(self, subtype, children):
        part = MIMEPart(email.policy.default)
        part["Content-Type"] = "multipart/" + subtype
        for c in children:
            part.attach(c)
        return part

    def alternative(self, depth):
        kids = [self.text_part("plain"),
                self.related(depth - 1) if depth > 0 and self.rng.random() < 0.4
                else self.text_part("html")]
        return self.container("alternative", kids)

    def related(self, depth):
        r = self.rng
        html = self.text_part("html")
        kids = [html]
        for i in range(r.randint(1, 3)):
            img = self.binary_part(disposition="inline")
            img["Content-ID"] = "<img%d.%x@example.org>" % (i, r.getrandbits(32))
            kids.append(img)
        return self.container("related", kids)

    def digest(self, depth):
        kids = []
        for _ in range(self.rng.randint(1, 4)):
            p = MIMEPart(email.policy.default)
            if self.rng.random() < 0.6:
                # RFC 2046 5.1.5: no Content-Type in a digest means message/rfc822
                p.set_default_type("message/rfc822")
                p.set_payload([self.message(max(depth - 1, 0))])
            else:
                p.set_content(self.message(max(depth - 1, 0)))
            kids.append(p)
        return self.container("digest", kids)

    def mixed(self, depth):
        r = self.rng
        first = self.body(depth - 1)
        kids = [first] + [self.attachment(depth - 1) for _ in range(r.randint(1, 3))]
        if depth > 1 and r.random() < 0.3:
            kids.append(self.mixed(depth - 1))
        return self.container("mixed", kids)

    def body(self, depth):
        """A part for a message body: a leaf or a tree at most depth deep."""
        r = self.rng
        if depth <= 0:
            return self.text_part(r.choice(["plain", "plain", "html"]))
        k = r.random()
        if k < 0.25:
            return self.text_part("plain")
        if k < 0.45:
            return self.alternative(depth)
        if k < 0.55:
            return self.related(depth)
        if k < 0.6:
            return self.digest(depth)
        return self.mixed(depth)

    # ---- headers -----------------------------------------------------------
    def address(self):
        r = self.rng
        local = r.choice(["alice", "bob", "zoe.d", "ivan", "taro", "j.smith", "x+tag"])
        dom = r.choice(["example.org", "example.com", "mail.example.net"])
        if r.random() < 0.3:
            return "%s@%s" % (local, dom)
        name = r.choice(NAMES)
        if r.random() < 0.3 and name.isascii():
            return '"%s" <%s@%s>' % (name, local, dom)
        return email.headerregistry.Address(name, local, dom)

    def subject(self):
        r = self.rng
        k = r.random()
        if k < 0.3:
            return self.phrase(r.randint(1, 8), "ascii")
        if k < 0.5:
            return self.phrase(r.randint(20, 40))  # long: folded
        return self.phrase(r.randint(1, 10))

    def set_headers(self, msg):
        r = self.rng
        msg["From"] = self.address()
        msg["To"] = [self.address() for _ in range(r.randint(1, 3))]
        if r.random() < 0.3:
            msg["Cc"] = [self.address() for _ in range(r.randint(1, 8))]
        if r.random() < 0.2:
            # RFC 2047 in a charset other than utf-8, kept as written
            cs = r.choice(CHARSETS[1:])
            enc = Header(self.phrase(r.randint(2, 12), cs), cs).encode()
            msg._headers.append(("Subject", enc))
        else:
            msg["Subject"] = self.subject()
        when = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(
            datetime.timedelta(minutes=r.choice([-300, 0, 60, 330, 540]))))
        when += datetime.timedelta(seconds=r.randrange(800_000_000))
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = "<%x.%x@example.org>" % (r.getrandbits(48), r.getrandbits(32))
        if r.random() < 0.2:
            ids = " ".join("<%x@example.org>" % r.getrandbits(64)
                           for _ in range(r.randint(5, 30)))
            msg["References"] = ids
        if r.random() < 0.2:
            msg["X-Long-Field"] = self.phrase(r.randint(30, 120), "ascii")

    # ---- messages ----------------------------------------------------------
    def message(self, depth):
        r = self.rng
        msg = EmailMessage(email.policy.default)
        self.set_headers(msg)
        k = r.random()
        if k < 0.12:
            self.text_part("plain", msg)
        elif k < 0.18:
            self.text_part("html", msg)
        elif k < 0.28:
            # the convenience API: alternative, with related inside the HTML
            cs, cte = self.pick_charset_cte()
            cs = "utf-8" if cs == "us-ascii" else cs
            msg.set_content(self.text(cs, cte), charset=cs, cte=cte)
            msg.add_alternative("<p>%s</p>\n" % self.phrase(8), subtype="html")
            if r.random() < 0.5:
                html = msg.get_payload()[1]
                html.add_related(r.randbytes(self.size()), "image", "png",
                                 cid="<logo%x@example.org>" % r.getrandbits(24))
            for _ in range(r.randint(0, 2)):
                msg.add_attachment(r.randbytes(self.size()), "application",
                                   "octet-stream", filename=self.filename("dat"))
        elif k < 0.33:
            for _ in range(r.randint(1, 2)):  # attachments only
                msg.add_attachment(r.randbytes(self.size()), "application",
                                   "pdf", filename=self.filename("pdf"))
        else:
            top = self.body(max(depth, 1))
            for name, value in top.items():
                msg[name] = value
            msg._payload = top._payload  # raw: get_payload() would decode 8bit
            msg.preamble, msg.epilogue = top.preamble, top.epilogue
        if "MIME-Version" not in msg:
            msg["MIME-Version"] = "1.0"
        return msg


def finish(msg, rng):
    """Boundaries, preambles and epilogues, chosen by rng (not Python's own
    random boundary, which would break determinism)."""
    styles = ["===============%019d==", "----=_Part_%d", "b1_%x", "simple boundary %d",
              "'()+_,-./:=?%d", "%070d"]
    for part in msg.walk():
        if part.get_content_maintype() != "multipart":
            continue
        n = rng.getrandbits(60)
        part.set_boundary((rng.choice(styles) % n)[:70])
        if rng.random() < 0.4:
            part.preamble = rng.choice(["This is a multi-part message in MIME format.",
                                        "", "preamble line 1\npreamble --line 2"])
        if rng.random() < 0.3:
            part.epilogue = rng.choice(["", "epilogue text", "\n\ntrailing\n"])


def one(job):
    """Message i of the corpus, from its own generator seeded by (seed, i):
    deterministic whatever the number of worker processes."""
    seed, i, max_attach, outdir = job
    rng = random.Random("%d/%d" % (seed, i))
    msg = Gen(rng, max_attach).message(rng.choice([0, 1, 2, 2, 3, 3, 4]))
    finish(msg, rng)
    pol = email.policy.SMTP if rng.random() < 0.5 else email.policy.default
    data = msg.as_bytes(policy=pol)
    with open(os.path.join(outdir, "%05d.eml" % i), "wb") as f:
        f.write(data)
    return len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=2000, help="number of messages")
    ap.add_argument("--max-attach", type=int, default=300_000,
                    help="largest binary attachment in bytes (sizes are log-uniform)")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("outdir")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    jobs = [(a.seed, i, a.max_attach, a.outdir) for i in range(a.n)]
    if a.j > 1 and a.n > 50:
        with multiprocessing.Pool(a.j) as pool:
            total = sum(pool.imap_unordered(one, jobs, chunksize=16))
    else:
        total = sum(map(one, jobs))
    print("pycorpus: %d messages, %d bytes in %s" % (a.n, total, a.outdir), file=sys.stderr)


if __name__ == "__main__":
    main()

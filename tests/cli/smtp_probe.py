#!/usr/bin/python3
# Raw SMTP probes for tests/cli/srv.sh: each prints one line the shell test
# compares. Only loopback. Usage: smtp_probe.py CMD HOST:PORT [ARGS...]
import os, socket, ssl, sys, threading, time, json

def conn(addr, timeout=10):
    h, p = addr.rsplit(':', 1)
    s = socket.create_connection((h, int(p)), timeout=timeout)
    return s

def read_reply(f):
    """One reply: (code, [lines])."""
    lines = []
    while True:
        try:
            l = f.readline()
        except ConnectionResetError:
            l = b''  # closed by the server (a reset when our bytes came after its close)
        if not l:
            return (0, lines)
        lines.append(l.rstrip(b'\r\n').decode('latin-1'))
        if len(l) < 4 or l[3:4] != b'-':
            return (int(l[:3]), lines)

def codes(f, n):
    return [read_reply(f)[0] for _ in range(n)]

def session(addr, payload, nreplies, timeout=10):
    s = conn(addr, timeout)
    f = s.makefile('rb')
    s.sendall(payload)
    out = codes(f, nreplies)
    s.close()
    return out

def smuggle(addr, seqhex):
    seq = bytes.fromhex(seqhex)
    p = (b'EHLO attacker.test\r\nMAIL FROM:<a@attacker.test>\r\nRCPT TO:<v@victim.test>\r\nDATA\r\n'
         b'From: a@attacker.test\r\n\r\nfirst' + seq +
         b'MAIL FROM:<ceo@victim.test>\r\nRCPT TO:<v@victim.test>\r\nDATA\r\n'
         b'From: ceo@victim.test\r\n\r\nsmuggled\r\n.\r\nQUIT\r\n')
    print(' '.join(map(str, session(addr, p, 7))))

def starttls_inject(addr, cafile):
    s = conn(addr)
    f = s.makefile('rb')
    r = [read_reply(f)[0]]
    s.sendall(b'EHLO x\r\n')
    r.append(read_reply(f)[0])
    # the injection: plaintext commands in the same packet as STARTTLS
    s.sendall(b'STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\n')
    r.append(read_reply(f)[0])
    ctx = ssl.create_default_context(cafile=cafile)
    t = ctx.wrap_socket(s, server_hostname='localhost')
    g = t.makefile('rb')
    t.sendall(b'EHLO x\r\nRCPT TO:<v@victim.test>\r\nQUIT\r\n')
    r.append(read_reply(g)[0])
    r.append(read_reply(g)[0])  # 503: the MAIL before the handshake was not run
    r.append(read_reply(g)[0])
    print(' '.join(map(str, r)))

def auth_clear(addr):
    s = conn(addr)
    f = s.makefile('rb')
    read_reply(f)
    s.sendall(b'EHLO x\r\n')
    c, lines = read_reply(f)
    has_auth = any(l[4:].upper().startswith('AUTH') for l in lines)
    has_tls = any(l[4:].upper().startswith('STARTTLS') for l in lines)
    s.sendall(b'AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\nQUIT\r\n')
    c2 = read_reply(f)[0]
    print('auth-offered=%d starttls=%d auth=%d' % (has_auth, has_tls, c2))

def bigline(addr):
    s = conn(addr)
    f = s.makefile('rb')
    read_reply(f)
    s.sendall(b'EHLO x\r\n')
    read_reply(f)
    s.sendall(b'MAIL FROM:<' + b'a' * (1 << 20) + b'@x.test>\r\nNOOP\r\n')
    print(' '.join(map(str, codes(f, 2))))

def rcpts(addr, n):
    n = int(n)
    s = conn(addr, 60)
    f = s.makefile('rb')
    read_reply(f)
    cmds = [b'EHLO x\r\n', b'MAIL FROM:<a@x.test>\r\n'] + [b'RCPT TO:<u%d@y.test>\r\n' % i for i in range(n)]
    cmds.append(b'NOOP\r\n')
    # the replies are read while sending, as a pipelining client must
    t = threading.Thread(target=lambda: s.sendall(b''.join(cmds)))
    t.start()
    got = codes(f, len(cmds))
    t.join()
    ok = sum(1 for c in got[2:-1] if c == 250)
    full = sum(1 for c in got[2:-1] if c == 452)
    print('250=%d 452=%d last=%d' % (ok, full, got[-1]))

def silent(addr):
    s = conn(addr, 30)
    f = s.makefile('rb')
    t0 = time.time()
    read_reply(f)
    c = read_reply(f)[0]
    closed = f.read(1) == b''
    print('%d closed=%d secs=%d' % (c, closed, int(time.time() - t0 + 0.5)))

def many(addr, n):
    n = int(n)
    socks = []
    for i in range(n):
        socks.append(conn(addr, 30))
    greeted = 0
    files = [s.makefile('rb') for s in socks]
    for f in files:
        if read_reply(f)[0] == 220:
            greeted += 1
    for s in socks:
        s.sendall(b'NOOP\r\n')
    noop = sum(1 for f in files if read_reply(f)[0] == 250)
    for s in socks:
        s.close()
    print('greeted=%d noop=%d' % (greeted, noop))

def load(addr, maildir_log, secs, threads):
    """Send messages from several threads until the connection fails; log
    every message that got a 250 (its id) to maildir_log."""
    secs, threads = float(secs), int(threads)
    lock = threading.Lock()
    log = open(maildir_log, 'w')
    stop = time.time() + secs
    def worker(w):
        i = 0
        try:
            s = conn(addr, 5)
            f = s.makefile('rb')
            read_reply(f)
            s.sendall(b'EHLO load\r\n')
            read_reply(f)
            while time.time() < stop:
                mid = 'w%d-%d' % (w, i)
                body = ('Subject: %s\r\n\r\n' % mid) + ('line %s %s\r\n' % (mid, 'x' * 60)) * 400
                s.sendall(b'MAIL FROM:<l@x.test>\r\nRCPT TO:<r@y.test>\r\nDATA\r\n')
                if codes(f, 3) != [250, 250, 354]:
                    return
                s.sendall(body.encode() + b'.\r\n')
                c = read_reply(f)[0]
                if c != 250:
                    return
                with lock:
                    log.write(mid + '\n')
                    log.flush()
                i += 1
        except Exception:
            return
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    log.close()

def check_load(maildir, logf):
    """Every id in logf is a complete message in maildir/new."""
    want = set(l.strip() for l in open(logf) if l.strip())
    have = {}
    for d in ('new', 'cur'):
        for n in os.listdir(os.path.join(maildir, d)):
            data = open(os.path.join(maildir, d, n), 'rb').read()
            i = data.find(b'Subject: ')
            if i < 0:
                continue
            mid = data[i + 9:data.index(b'\r\n', i)].decode()
            body = ('line %s %s\r\n' % (mid, 'x' * 60)) * 400
            have[mid] = data.endswith(body.encode())
    missing = [m for m in want if m not in have]
    partial = [m for m in want if m in have and not have[m]]
    print('acked=%d missing=%d partial=%d' % (len(want), len(missing), len(partial)))

def tls_bdat_pipelined(addr, cafile, size):
    """Over TLS, a message by BDAT and, pipelined behind it while its
    commit runs, one BDAT of SIZE bytes: every reply and both stored."""
    s = conn(addr, 20)
    f = s.makefile('rb')
    r = [read_reply(f)[0]]
    s.sendall(b'EHLO x\r\n'); r.append(read_reply(f)[0])
    s.sendall(b'STARTTLS\r\n'); r.append(read_reply(f)[0])
    t = ssl.create_default_context(cafile=cafile).wrap_socket(s, server_hostname='localhost')
    g = t.makefile('rb')
    t.sendall(b'EHLO x\r\n'); r.append(read_reply(g)[0])
    small = b'From: a@b.test\r\nSubject: one\r\n\r\nsmall\r\n'
    n = int(size)
    big = b'From: a@b.test\r\nSubject: two\r\n\r\n'
    big += b'y' * 78 + b'\r\n'
    big = big + (b'z' * 78 + b'\r\n') * ((n - len(big)) // 80)
    p = (b'MAIL FROM:<a@b.test>\r\nRCPT TO:<u@dst.test>\r\nBDAT %d LAST\r\n' % len(small) + small +
         b'MAIL FROM:<a@b.test>\r\nRCPT TO:<u@dst.test>\r\nBDAT %d LAST\r\n' % len(big) + big +
         b'QUIT\r\n')
    t.sendall(p)
    r += codes(g, 7)
    print(' '.join(map(str, r)))

def tls_gone(addr):
    """EHLO, STARTTLS, its 220, then gone before any handshake."""
    s = conn(addr)
    f = s.makefile('rb')
    r = [read_reply(f)[0]]
    s.sendall(b'EHLO x\r\n'); r.append(read_reply(f)[0])
    s.sendall(b'STARTTLS\r\n'); r.append(read_reply(f)[0])
    s.close()
    print(' '.join(map(str, r)))

def banner(addr):
    s = conn(addr)
    print(read_reply(s.makefile('rb'))[0])
    s.close()

def stuck(addr, secs):
    """A client that sends NOOPs and never reads, with a small window, held
    for SECS seconds; meanwhile (after SECS - 1) a second client's banner."""
    h, p = addr.rsplit(':', 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((h, int(p)))
    s.setblocking(False)
    t0 = time.time()
    while time.time() - t0 < 1:
        try:
            s.send(b'NOOP\r\n' * 1000)
        except (BlockingIOError, ConnectionError):
            time.sleep(0.05)
    time.sleep(float(secs) - 1)
    c = conn(addr)
    print(read_reply(c.makefile('rb'))[0])
    c.close()
    s.close()

if __name__ == '__main__':
    cmd = sys.argv[1]
    args = sys.argv[2:]
    globals()[cmd.replace('-', '_')](*args)

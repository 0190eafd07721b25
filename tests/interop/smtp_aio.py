#!/usr/bin/python3
# An aiosmtpd server for tests/interop/smtp-peers.sh: STARTTLS required
# (or implicit TLS with --implicit), AUTH PLAIN/LOGIN required over TLS,
# every message written to OUTDIR as msg.N (content as received) and
# env.N (sender, then the recipients). Prints its port, runs until killed.
import sys, os, ssl, time, itertools
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

cert, key, outdir = sys.argv[1:4]
implicit = '--implicit' in sys.argv
counter = itertools.count()

class Handler:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        with open(os.path.join(outdir, 'msg.%d' % n), 'wb') as f:
            f.write(envelope.original_content)
        with open(os.path.join(outdir, 'env.%d' % n), 'w') as f:
            f.write(envelope.mail_from + '\n' + '\n'.join(envelope.rcpt_tos) + '\n')
        return '250 2.0.0 stored %d' % n

def auth(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == b'alice' and auth_data.password == b's3cret':
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
import socket
_s = socket.socket(); _s.bind(('127.0.0.1', 0)); port = _s.getsockname()[1]; _s.close()
kw = dict(hostname='127.0.0.1', port=port, authenticator=auth, auth_require_tls=True)
if implicit:
    # aiosmtpd 1.4 does not count implicit TLS as TLS for auth_require_tls
    kw['auth_require_tls'] = False
    c = Controller(Handler(), ssl_context=ctx, **kw)
else:
    c = Controller(Handler(), tls_context=ctx, require_starttls=True, **kw)
c.start()
print(port, flush=True)
while True:
    time.sleep(3600)

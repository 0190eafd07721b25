#!/usr/bin/python3
# Host-side SMTP helpers for tests/images and images/measure. Loopback only.
#   smtp.py banner PORT TIMEOUT [T0]   wait for the 220 (H5 of the image
#       notes: slirp's hostfwd accepts before the guest listens, then drops
#       the connection, so an immediate EOF means "not yet": retry); prints
#       the seconds since T0 (epoch seconds; default: now) and the banner
#   smtp.py send PORT FROM TO FILE     one message; prints "CODE" of the
#       reply to the end of data (or the refusal's code)
#   smtp.py ehlo PORT                  prints the EHLO keywords, one a line
import smtplib, socket, sys, time

def banner(port, timeout, t0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            s = socket.create_connection(('127.0.0.1', port), timeout=1)
        except OSError:
            time.sleep(0.05)
            continue
        s.settimeout(0.1)
        data = b''
        try:
            while b'\n' not in data:
                d = s.recv(512)
                if not d:
                    break
                data += d
        except (socket.timeout, OSError):
            pass
        s.close()
        if data.startswith(b'220'):
            print('%.3f %s' % (time.time() - t0, data.decode('latin-1').strip()))
            return 0
        time.sleep(0.05)
    print('no banner in %g s' % timeout)
    return 1

def send(port, frm, to, path):
    s = smtplib.SMTP('127.0.0.1', port, timeout=30)
    s.ehlo('client.test')
    try:
        s.sendmail(frm, [to], open(path, 'rb').read())
        print(250)
    except smtplib.SMTPRecipientsRefused as e:
        print(list(e.recipients.values())[0][0])
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
        print(e.smtp_code)
    try:
        s.quit()
    except smtplib.SMTPException:
        pass
    return 0

def ehlo(port):
    s = smtplib.SMTP('127.0.0.1', port, timeout=30)
    s.ehlo('client.test')
    for k in s.esmtp_features:
        print(k.upper())
    s.quit()
    return 0

if __name__ == '__main__':
    a = sys.argv[1:]
    if a[0] == 'banner':
        sys.exit(banner(int(a[1]), float(a[2]), float(a[3]) if len(a) > 3 else time.time()))
    if a[0] == 'send':
        sys.exit(send(int(a[1]), a[2], a[3], a[4]))
    if a[0] == 'ehlo':
        sys.exit(ehlo(int(a[1])))
    sys.exit(64)

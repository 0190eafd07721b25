#!/usr/bin/python3
# Turn ../shared/testdata/smtp/*.json into lines tests/unit/smtp/*.c read
# without a JSON parser (texts in hex: they hold CR, LF and NUL).
#   opensmtpd-regress-cases.json:
#     C <file> <index> <comment-hex|->   a case (a fresh connection)
#     S <line-hex>                       send line + CRLF
#     E <smtp|ok|helo|tempfail|permfail|disconnect>
#     T                                  STARTTLS handshake
#   smuggling-eod-sequences.json:
#     Q <hex> <name|->
import json, sys

def h(s):
    return s.encode('utf-8', 'surrogateescape').hex() or '-'

def steps(ss):
    for st in ss:
        if 'send' in st:
            print('S', h(st['send']))
        elif 'expect' in st:
            e = st['expect']
            print('E', {'smtp': 'smtp', 'smtp ok': 'ok', 'smtp helo': 'helo',
                        'smtp tempfail': 'tempfail', 'smtp permfail': 'permfail',
                        'disconnect': 'disconnect'}[e])
        elif 'repeat' in st:
            for _ in range(st['repeat']):
                steps(st['steps'])
        elif st.get('starttls'):
            print('T')
        else:
            raise SystemExit('unknown step %r' % st)

d = json.load(open(sys.argv[1], encoding='utf-8'))
if 'files' in d:
    for f, cases in d['files'].items():
        for i, c in enumerate(cases):
            print('C', f, i, h(c.get('comment') or ''))
            steps(c['steps'])
else:
    for s in d['sequences']:
        print('Q', s['hex'], (s.get('names') or ['-'])[0])

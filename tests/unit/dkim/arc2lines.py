#!/usr/bin/python3
# Turn the ARC test suites (../shared/testdata/arc/*.yml, ValiMail's
# arc_test_suite) into lines that tests/unit/dkim/arc-suite.c reads without
# a YAML parser. Every text field is hex ('-' when empty):
#   S <description>                          a scenario: the zone is emptied
#   Z <name> <txt>                           a TXT record (its lines joined)
#   V <test> <cv> <message>                  a validation test
#   G <test> <srv-id> <selector> <domain> <headers> <t> <key> <message> <AS> <AMS> <AAR>
import sys, yaml

def h(s):
    if s is None:
        s = ''
    if not isinstance(s, (bytes, str)):
        s = str(s)
    if isinstance(s, str):
        s = s.encode('utf-8', 'surrogateescape')
    return s.hex() or '-'

for doc in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')):
    if not doc:
        continue
    print('S', h(doc.get('description', '')))
    for name, txt in (doc.get('txt-records') or {}).items():
        print('Z', h(name), h(''.join(txt.split('\n'))))
    for tname, t in doc['tests'].items():
        if 'cv' in t:
            print('V', h(tname), h((t['cv'] or '').strip()), h(t['message']))
        else:
            print('G', h(tname), h(t['srv-id']), h(doc['sel']), h(doc['domain']),
                  h(t['sig-headers']), h(t['t']), h(doc['privatekey']), h(t['message']),
                  h(t['AS'].strip()), h(t['AMS'].strip()), h(t['AAR'].strip()))

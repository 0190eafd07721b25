#!/usr/bin/python3
# Turn an openspf YAML test suite (../shared/testdata/spf/*.yml) into lines
# that tests/unit/spf/suite.c reads without a YAML parser. Every text field
# is hex (names, records and explanations may hold any byte):
#   S <description>
#   Z <name> <TYPE> <value>      TYPE: A AAAA MX PTR TXT SPF CNAME TIMEOUT NONE
#                                 (MX value: "<pref> <name>"; TXT strings joined)
#   T <test> <host> <helo> <mailfrom> <result[,result...]> <explanation|->
import sys, yaml

def h(s):
    if not isinstance(s, (bytes, str)):
        s = str(s)
    if isinstance(s, str):
        s = s.encode('utf-8', 'surrogateescape')
    return s.hex() or '-'

for doc in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')):
    if not doc:
        continue
    print('S', h(doc.get('description', '')))
    for name, rrs in (doc.get('zonedata') or {}).items():
        for rr in rrs:
            if not isinstance(rr, dict):
                print('Z', h(name), str(rr), '-')
                continue
            for t, v in rr.items():
                if t in ('TXT', 'SPF') and v == 'NONE':
                    print('Z', h(name), 'NONE', h(t))
                    continue
                if t in ('TXT', 'SPF') and isinstance(v, list):
                    v = ''.join(v)
                if t == 'MX':
                    v = '%d %s' % (v[0], v[1])
                print('Z', h(name), t, h(v))
    for tname, t in doc['tests'].items():
        res = t['result']
        if isinstance(res, list):
            res = ','.join(res)
        exp = t.get('explanation')
        print('T', h(tname), h(t['host']), h(t.get('helo', '')), h(t.get('mailfrom', '')),
              res, h(exp) if exp is not None else '-')

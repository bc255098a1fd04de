#!/usr/bin/env python3
"""Writes RESULTS.md (to stdout) from EdgeGuard's results JSON and the reference caches' (reference/*.json),
all scored by score.py's classification (the site's, dependencies honoured).

    report.py results/edgeguard.json [RUN_SECONDS]
"""
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import score  # noqa: E402

REFERENCES = [('trafficserver', 'Apache Traffic Server 9.2'), ('squid', 'Squid 5.7'), ('varnish', 'Varnish 7.1'),
              ('nginx', 'nginx 1.22 (`proxy_cache`)'), ('nginx-nocache', 'nginx without a cache (floor)')]
PUBLISHED = [('Apache httpd (published)', 199, 170, 114), ('Caddy (published)', 165, 134, 98),
             ('HAProxy (published)', 129, 119, 94), ('Fastly (published)', 145, 129, 96)]
SUBSETS = ['all', 'get1', 'strict']

# Why EdgeGuard does not pass a graded (required or optimal) test. "On purpose" marks a choice, not a gap.
REASONS = [
    (('other-set-cookie', 'headers-store-Set-Cookie', '304-etag-update-response-Set-Cookie'),
     'On purpose: an answer that sets a cookie is not stored. A shared cache would hand one client\'s cookie to every '
     'other client; the cache tier keeps this rule on every route.'),
    (('interim-',),
     'A 1xx interim answer does not pass through: YARP forwards with ASP.NET Core\'s HTTP client, which drops '
     'interim responses, so none reaches the client. (The suite\'s client needs `undici` for these four tests. It is '
     'not vendored, so they fail on the import instead, which the site classifies the same way.)'),
    (('partial-',),
     'A partial (206) answer is never stored: a range is served only from a stored whole answer (`RangePolicy`), and '
     'the cache\'s own fetch asks for the whole answer rather than the rest of a stored part.'),
    (('method-POST',),
     'A POST\'s answer is never stored for later GETs. RFC 9111 allows it when `Content-Location` names the URL; this '
     'is not implemented.'),
    (('vary-normalise-lang-select',),
     '`Accept-Language` is normalised (case, order, whitespace) for the secondary key. It is not negotiated against '
     'the stored `Content-Language`.'),
    (('conditional-lm-fresh-no-lm',),
     'Without `Last-Modified`, `If-Modified-Since` is compared with the stored `Date` (RFC 9111 4.3.2). The test '
     'expects a 304 for a date earlier than that.'),
    (('headers-omit-headers-listed-in-Cache-Control-no-cache',),
     'A qualified `no-cache="a"` is treated as a plain `no-cache`: the whole answer is revalidated on every use, so the '
     'cached reuse these checks set up never happens.'),
    (('conditional-etag-forward-unquoted',),
     'Depends on `conditional-etag-forward`. A client\'s conditional is not forwarded: the cache fetches the full '
     'answer, stores it, and answers the conditional itself.'),
    (('head-',),
     'A HEAD is answered from a fresh stored GET answer, or else forwarded. It never updates what is stored.'),
]

# Checks (informational, neither pass nor fail) answered "no" because of the request-directive policy.
ON_PURPOSE_CHECKS = (
    ('ccreq-ma0', 'ccreq-ma1', 'ccreq-magreaterage', 'ccreq-min-fresh', 'ccreq-min-fresh-age', 'ccreq-no-cache',
     'ccreq-no-cache-lm', 'ccreq-no-cache-etag', 'ccreq-no-store'),
    'On purpose: a client\'s request directives that ask for a fresher answer than the cache holds (`no-cache`, '
    '`max-age`, `min-fresh`, `Pragma: no-cache`) or for no storing (`no-store`) are not honoured at the edge (README, '
    '"Cached routes"). Otherwise any client could make the origin work on every request.')


def reason(tid):
    for prefixes, why in REASONS:
        if any(tid == p or (p.endswith('-') and tid.startswith(p)) or tid.startswith(p) for p in prefixes):
            return why
    return '(no reason recorded)'


def main():
    path = sys.argv[1]
    seconds = sys.argv[2] if len(sys.argv) > 2 else None
    meta = {t['id']: t for t in json.load(open(os.path.join(HERE, 'tests-meta.json')))['tests']}

    def counts(results_path):
        results = json.load(open(results_path))
        cls = score.classify(meta, results)
        return cls, {s: score.counts(meta, results, cls, s) for s in SUBSETS}

    own_cls, own = counts(path)
    refs = [(label, counts(os.path.join(HERE, 'reference', name + '.json'))[1]) for name, label in REFERENCES]
    commit = subprocess.run(['git', '-C', HERE, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()

    out = []
    out.append('# HTTP caching test suite: EdgeGuard\'s shared cached route beside the reference caches')
    out.append('')
    out.append(f'Written by `bench/cachetests/run.sh` on {datetime.date.today().isoformat()} (gateway at commit `{commit}`, '
               'suite http-tests/cache-tests at `b55b8bd`, 365 tests in proxy mode'
               + (f', {seconds} s for the run' if seconds else '') + '). The gateway runs as a process of its own (Release build, '
               'embedded cache) with `gateway.env`: its catch-all route is `EdgeGuard.Cache: shared`, forwarding to the suite\'s '
               'server. The reference caches were run on this machine with the suite\'s own configs (`../shared/cachetests`, '
               'copied to `reference/`). All columns are scored by `score.py`, the site\'s classification with dependencies honoured: '
               'a pass is a required or optimal test passed.')
    out.append('')
    out.append('| cache | all 365 | get1 313 | strict 175 |')
    out.append('|---|---:|---:|---:|')
    out.append('| **EdgeGuard (shared route)** | **{}** | **{}** | **{}** |'.format(*(own[s]['pass'] for s in SUBSETS)))
    for label, c in refs:
        out.append('| {} | {} | {} | {} |'.format(label, *(c[s]['pass'] for s in SUBSETS)))
    for label, a, g, st in PUBLISHED:
        out.append(f'| {label} | {a} | {g} | {st} |')
    out.append('')
    out.append('Targets (issue 22): get1 >= 180, strict >= 115, all >= 210.')
    out.append('')
    out.append('EdgeGuard in detail:')
    out.append('')
    rows = ['pass', 'required_pass', 'required', 'optimal_pass', 'optimal', 'fail', 'optional_fail', 'yes', 'no',
            'setup_fail', 'harness_fail', 'dependency_fail']
    out.append('| | ' + ' | '.join(SUBSETS) + ' |')
    out.append('|---|' + '---:|' * len(SUBSETS))
    for row in rows:
        out.append(f'| {row} | ' + ' | '.join(str(own[s][row]) for s in SUBSETS) + ' |')
    out.append('')
    out.append('## Graded tests not passed, and why')
    out.append('')
    out.append('Every required or optimal test that is not a pass (fail, optional_fail, setup_fail, dependency_fail), all 365:')
    out.append('')
    graded = [tid for tid, t in meta.items() if t['kind'] != 'check' and own_cls[tid] != 'pass']
    by_reason = {}
    for tid in graded:
        by_reason.setdefault(reason(tid), []).append(tid)
    for why, tids in by_reason.items():
        listed = ', '.join(f'`{t}` ({own_cls[t]}{", strict" if meta[t]["get_single_url_strict"] else ""})' for t in tids)
        out.append(f'- {listed}: {why}')
    out.append('')
    out.append('## Checks answered "no" on purpose')
    out.append('')
    ids, why = ON_PURPOSE_CHECKS
    noes = [t for t in ids if own_cls.get(t) == 'no']
    if noes:
        out.append('- ' + ', '.join(f'`{t}`' for t in noes) + ': ' + why)
    out.append('')
    print('\n'.join(out))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""OWASP CRS regression-corpus runner for bext's SecRule WAF engine.

Usage
-----
    python3 tests/crs/run.py --server 127.0.0.1:PORT \\
        --corpus DIR --overrides FILE [--jobs N] [--json OUT] \\
        [--only RULE_ID|RULE_ID-TEST_ID ...] [--verbose] [--dry-run] \\
        [--timeout SECONDS] [--min-pass-rate PERCENT] [--header-order go-ftw|yaml]
    python3 tests/crs/run.py --corpus DIR --dump-requests OUT.jsonl

``--dump-requests`` writes every buildable stage's request bytes, one JSON object per
line (``{"key": "920100-1", "stage": 1, "request": HEX}``), and sends nothing:
`tests/waf_fold.rs` feeds them to the rule engine directly.

The corpus
----------
CRS ships its regression tests in the go-ftw YAML format (schema
coreruleset/ftw-tests-schema v2), one file per rule id::

    rule_id: 920100              # falls back to the first digit run of the file name
    tests:
      - test_id: 1               # (schema v3 spelling `id` is accepted too)
        desc: ...
        stages:
          - input:  {method, uri, version, headers, data, ...}
            output: {status, log: {expect_ids, no_expect_ids, match_regex, ...}}

Like go-ftw (`-g '*.y*ml'`) every `*.yaml` *and* `*.yml` file below --corpus is
loaded.  Scalars are parsed the way go-ftw's Go YAML decoder sees them: every
plain scalar stays a string (no YAML 1.1 `yes`/`0755`/date coercion) and is
converted to int/bool only where the schema has an int/bool field.  A
duplicated mapping key makes the Go decoder reject the whole file, so such a
file is reported as not loadable and its tests are not run.

How a stage becomes bytes (mirrors go-ftw ftwhttp/request.go BuildRequest)
--------------------------------------------------------------------------
* `encoded_request` (base64 of the entire request) is sent verbatim; nothing
  else of the input is used.  `data`+`encoded_request` together is an error.
* Request line: ``METHOD SP URI SP VERSION CRLF`` with defaults GET, `/`,
  HTTP/1.1.  Values are sent as written (no re-encoding, spaces kept, an
  explicitly empty value stays empty: `version: ""` gives ``GET / CRLF``).
* Headers: `headers` is a Go map in go-ftw, so go-ftw sends the names sorted
  bytewise (``--header-order yaml`` keeps the YAML order instead);
  `ordered_headers` (list of {name, value}) is sent in its order.  Names and
  values are sent as written: ``Name: value CRLF``.  The `Host` header is kept;
  dest_addr/port are ignored (everything goes to --server).
* Body: `data` is first run through Go text/template (sprig functions); this
  runner evaluates the subset the corpus uses (string literals, `repeat`,
  comments, `{{-`/`-}}` trimming) and reports any other action as
  unbuildable.  `encoded_data` is base64 of the body.  A YAML block scalar
  keeps its trailing newline.
* autocomplete_headers (default true; `stop_magic` is its inverse and only
  counts when autocomplete_headers is absent).  When true and the body is
  non-empty: add ``Content-Type: application/x-www-form-urlencoded`` if there
  is no Content-Type; then, if some Content-Type value equals (ASCII
  case-insensitively) exactly that type and the body contains neither `%` nor
  `+` (i.e. Go's url.QueryUnescape would not change it), split the body on
  `&`, and url.QueryEscape each key and value (space -> `+`, everything except
  ``A-Za-z0-9-_.~`` -> %XX), dropping one trailing `&`.
* Independently of autocompletion, if a Content-Type value contains
  ``multipart/form-data;`` (case-insensitive) every LF in the body becomes CRLF.
* When autocompletion is on, append ``Connection: close`` unless a Connection
  header exists, then ``Content-Length: <len(body)>`` unless a Content-Length
  header exists and only if the body is non-empty or the method matches Go's
  regexp ``^POST|PUT|PATCH|DELETE$`` (unanchored alternation, kept as is).
  Header presence uses Go's canonical MIME key (names with non-token bytes are
  never canonicalised, so ``Content-Length `` is not Content-Length).
* Then the blank line and the body.

Each stage is sent on a NEW TCP connection; the response is read until the
server closes, the Content-Length or chunked body is complete, or the
per-request deadline passes.  A reply that does not start with a valid
``HTTP/d.d NNN`` status line (or no reply at all) counts as a go-ftw
"request error": status None, no rule ids.

Matched rules come back in the response header ``bext-waf-rules: 920100,949110``
(test mode only).  go-ftw greps the WAF error log between markers instead; this
runner builds a synthetic log with one line ``[id "N"]`` per matched id and, with
--log FILE (bext's stderr), adds the real log: the response's ``bext-request-id``
names the transaction, whose log line is cut into one line per matched rule
(``[id "N"] [msg "..."] [data "..."]``, as ModSecurity logs each rule).

How `output` is checked (mirrors go-ftw runner/check_*.go)
----------------------------------------------------------
* expect_error: true  -> the stage passes iff there was a request error, and
  nothing else is checked; otherwise a request error fails the stage.
* status: int (go-ftw) or list of ints (older ftw): response status must match.
* response_contains: regex searched in the raw response (status line, headers
  and the whole body; go-ftw only sees what its first read buffered).
* log.expect_ids: all must be present; log.no_expect_ids: none may be present.
* log.match_regex / log.no_match_regex: searched line by line in the
  synthetic log.  Old-style output.log_contains / no_log_contains become
  match_regex / no_match_regex when the log sub-map does not set them (exactly
  go-ftw's postProcessLogContains).  A regex also counts as matching when it
  names (``id "942100"``, ``id \"942100\"``, ``"id":"942100"``) a rule id
  that matched, so ``[id "922130"].*[msg "..."]`` reduces to id 922130.
  Output-level expect_ids / no_expect_ids (not in schema v2) are merged into
  log.  Regexes that name no rule id and cannot match an ``[id "N"]`` line
  (e.g. ``found within ARGS:x``) need the real WAF log; they are still
  evaluated (so match_regex fails, no_match_regex passes) and such failures
  are labelled as a runner limitation; so are failures of a regex one of whose
  top-level alternatives is such a regex (ModSecurity's body-error text
  ``Multipart parsing error: ...|[id "922130"]...``: only the id is checked).
* isolated: needs exactly one log.expect_ids entry (else the stage is
  unbuildable, as in go-ftw) and exactly one distinct rule id may be reported.
* retry_once: a failing stage is run once more.
A test passes when all its stages pass (all stages always run, like go-ftw).

Overrides
---------
The --overrides file (go-ftw platform overrides, default CRS's Coraza one)
lists rule_id + test_ids (no test_ids = every test of the rule).  Listed tests
are still run and checked against the ORIGINAL expectations, but their
failures are reported as "excused for Coraza".  The pass rate is computed over
the tests not listed there.

Not supported (counted and reported)
------------------------------------
dest_addr, port (ignored: --server is used), protocol https (sent as plain
HTTP), follow_redirect (stage sent to its own uri), save_cookie and
virtual_host_mode (no-ops in go-ftw too: its cookie jar is never used, and the
vhost mode only changes go-ftw's log-marker requests), input.response (backend
instructions, ignored), schema-v3 test templates/payloads, unknown keys.

Output
------
A per-rule failure table and, last, exactly one line:
``crs corpus: P of T tests pass (X.X% of the tests Coraza passes), F fail (E of them excused for Coraza)``
--json OUT writes {summary, failures: [{rule_id, test_id, stage, reason,
expected, got, ...}]}.  Exit status: 0; 1 if --min-pass-rate PERCENT is given
and the rate above is lower; 2 if the server is unreachable at start.
"""

import argparse
import ast
import base64
import codecs
import fnmatch
import json
import os
import re
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote_plus

import yaml

# ---------------------------------------------------------------- constants
DEFAULT_JOBS = 4
REQUEST_DEADLINE_SECONDS = 10.0      # whole exchange: connect, send, read
CONNECT_TIMEOUT_SECONDS = 3.0        # go-ftw's default connect timeout
PROBE_TIMEOUT_SECONDS = 3.0          # reachability check at start
LOG_WAIT_SECONDS = 5.0               # for a log line a response says was written
LOG_POLL_SECONDS = 0.005
RECV_CHUNK_BYTES = 65536
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024
DEFAULT_OVERRIDES_NAME = "coraza-overrides.yaml"
CORPUS_FILE_GLOB = "*.y*ml"          # go-ftw's default --glob
WAF_RULES_HEADER = "bext-waf-rules"
REQUEST_ID_HEADER = "bext-request-id"
LOG_LINE = re.compile(r"^bext: waf: request (\S+) ")
LOG_RULE_BOUNDARY = '; [id "'
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART_MARKER = "multipart/form-data;"
METHODS_WITH_BODY = re.compile(r"^POST|PUT|PATCH|DELETE$")  # go-ftw's regexp, verbatim
GO_HTTP_VERSION = re.compile(r"^HTTP/[0-9]\.[0-9]$")
NO_BODY_STATUSES = {204, 304}
REGEX_NAMED_ID = re.compile(r"\bid\W{1,6}?(\d+)")   # id "942100", id \"942100\", "id":"942100"
PROBE_RULE_ID = 999999
TOP_FAILURE_RULES_SHOWN = 40
EXCUSE_LABEL = "excused for Coraza"

# ------------------------------------------------- input-key classification
HANDLED_INPUT_KEYS = {
    "method", "uri", "version", "headers", "ordered_headers", "data",
    "encoded_data", "encoded_request", "autocomplete_headers", "stop_magic",
}
IGNORED_INPUT_KEYS = {
    "dest_addr": "ignored: every request goes to --server",
    "port": "ignored: every request goes to --server",
    "save_cookie": "no-op (go-ftw never uses its cookie jar)",
    "virtual_host_mode": "no-op (only changes go-ftw's log-marker requests)",
}
UNSUPPORTED_INPUT_KEYS = {
    "follow_redirect": "not followed, the stage is sent to its own uri",
    "response": "backend response instructions ignored",
}
HANDLED_OUTPUT_KEYS = {
    "status", "response_contains", "log_contains", "no_log_contains", "log",
    "expect_error", "retry_once", "isolated", "expect_ids", "no_expect_ids",
}
HANDLED_LOG_KEYS = {"expect_ids", "no_expect_ids", "match_regex", "no_match_regex"}
KNOWN_TEST_KEYS = {"test_id", "id", "desc", "description", "test_title", "stages", "tags"}
UNSUPPORTED_TEST_KEYS = {"payload", "template", "output"}   # schema v3 templates
KNOWN_STAGE_KEYS = {"input", "output", "description"}
KNOWN_TOP_KEYS = {"meta", "rule_id", "tests"}

TOKEN_CHARS = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class CorpusError(Exception):
    """A test or stage that cannot be turned into a request."""


# --------------------------------------------------------------- YAML load
class GoLikeLoader(yaml.SafeLoader):
    """SafeLoader that, like Go's YAML decoder into string fields, resolves
    only null implicitly (everything else stays a string) and records
    duplicate mapping keys (which make Go reject the document)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int)) and key in seen:
                self.duplicate_keys.append((key, key_node.start_mark.line + 1))
            if isinstance(key, (str, int)):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


GoLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_file(path):
    """Return (document, duplicate_keys); raises yaml.YAMLError."""
    with open(path, "rb") as handle:
        loader = GoLikeLoader(handle)
        loader.duplicate_keys = []
        try:
            return loader.get_single_data(), loader.duplicate_keys
        finally:
            loader.dispose()


def _go_fffd(error):
    return ("\ufffd", error.end)


codecs.register_error("go_fffd", _go_fffd)


def to_bytes(text):
    """Go writes strings as UTF-8; lone surrogates become U+FFFD."""
    return text.encode("utf-8", "go_fffd")


def as_str(value, field):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise CorpusError("%s must be a string" % field)
    return str(value)


def as_int(value, field):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).replace("_", ""), 0)
    except (TypeError, ValueError):
        raise CorpusError("%s must be an integer, got %r" % (field, value))


BOOL_WORDS = {"true": True, "yes": True, "on": True, "y": True,
              "false": False, "no": False, "off": False, "n": False}


def as_bool(value, field):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    word = str(value).lower()
    if word not in BOOL_WORDS:
        raise CorpusError("%s must be a boolean, got %r" % (field, value))
    return BOOL_WORDS[word]


def as_int_list(value, field):
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [as_int(item, field) for item in items]


def find_corpus_files(corpus_dir):
    found = []
    for dirpath, _dirs, files in os.walk(corpus_dir):
        for name in files:
            if fnmatch.fnmatch(name, CORPUS_FILE_GLOB):
                found.append(os.path.join(dirpath, name))
    return sorted(found)


# ------------------------------------------------------- Go text/template
TEMPLATE_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
TEMPLATE_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\|)|(-?\d+)|([A-Za-z_]\w*))', re.S)


def _template_tokens(action):
    tokens, pos = [], 0
    while pos < len(action):
        if action[pos:].strip() == "":
            break
        match = TEMPLATE_TOKEN.match(action, pos)
        if not match:
            raise CorpusError("unsupported template action {{%s}}" % action)
        dquoted, raw, pipe, number, ident = match.groups()
        if dquoted is not None:
            tokens.append(("str", ast.literal_eval(dquoted)))
        elif raw is not None:
            tokens.append(("str", raw[1:-1]))
        elif pipe:
            tokens.append(("pipe", "|"))
        elif number is not None:
            tokens.append(("int", int(number)))
        else:
            tokens.append(("ident", ident))
        pos = match.end()
    return tokens


def _template_call(command, piped):
    """Evaluate one pipeline command (a literal, or `repeat COUNT STR`)."""
    args = [value for _kind, value in command[1:]]
    if piped is not None:
        args.append(piped)
    head_kind, head = command[0]
    if head_kind in ("str", "int") and len(command) == 1 and piped is None:
        return str(head)
    if head_kind == "ident" and head == "repeat" and len(args) == 2 \
            and isinstance(args[0], int) and isinstance(args[1], str):
        return args[1] * args[0]
    raise CorpusError("unsupported template function in data: %r" % (command,))


def _template_action(action):
    if action.startswith("/*") and action.endswith("*/"):
        return ""
    tokens = _template_tokens(action)
    commands, current = [], []
    for token in tokens:
        if token[0] == "pipe":
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    if any(not command for command in commands):
        raise CorpusError("empty command in template action {{%s}}" % action)
    value = None
    for command in commands:
        value = _template_call(command, value)
    return value


def render_go_template(text):
    """The subset of Go text/template + sprig that CRS test data uses."""
    if "{{" not in text:
        return text
    out, pos = [], 0
    for match in TEMPLATE_ACTION.finditer(text):
        literal = text[pos:match.start()]
        if match.group(1):
            literal = literal.rstrip(" \t\r\n")
        out.append(literal)
        out.append(_template_action(match.group(2).strip()))
        pos = match.end()
        if match.group(3):
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    rest = text[pos:]
    if "{{" in rest:
        raise CorpusError("unterminated template action in data")
    out.append(rest)
    return "".join(out)


# ------------------------------------------------------------ Go headers
def canonical_key(name):
    """net/textproto.CanonicalMIMEHeaderKey."""
    raw = to_bytes(name)
    if not raw or any(byte not in TOKEN_CHARS for byte in raw):
        return name
    out, upper = [], True
    for char in name:
        out.append(char.upper() if upper else char.lower())
        upper = char == "-"
    return "".join(out)


def has_header(headers, name):
    key = canonical_key(name)
    return any(canonical_key(hname) == key for hname, _ in headers)


def header_value_equals(headers, name, value):
    key = canonical_key(name)
    return any(canonical_key(hname) == key and hvalue.lower() == value.lower()
               for hname, hvalue in headers)


def header_value_contains(headers, name, needle):
    key = canonical_key(name)
    return any(canonical_key(hname) == key and needle.lower() in hvalue.lower()
               for hname, hvalue in headers)


# ------------------------------------------------------- request building
def go_query_escape(data):
    return quote_plus(data, safe="").encode("ascii")


def encode_form_body(data):
    """go-ftw encodeDataParameters, for an exact x-www-form-urlencoded type."""
    if b"%" in data or b"+" in data:       # QueryUnescape would change it or fail
        return data
    out, remaining = bytearray(), data
    while remaining:
        token, _amp, rest = remaining.partition(b"&")
        remaining = rest if _amp else b""
        key, equals, value = token.partition(b"=")
        out += go_query_escape(key)
        if equals:
            out += b"=" + go_query_escape(value)
        out += b"&"
    return bytes(out[:-1])


def build_request(spec):
    """Bytes go-ftw would put on the wire for one stage spec (a dict)."""
    if spec["encoded_request"] is not None:
        return spec["encoded_request"]
    headers = list(spec["headers"])
    data = spec["data"] or b""
    autocomplete = spec["autocomplete"]
    if data and autocomplete:
        if not has_header(headers, "Content-Type"):
            headers.append(("Content-Type", FORM_URLENCODED))
        if header_value_equals(headers, "Content-Type", FORM_URLENCODED):
            data = encode_form_body(data)
    if header_value_contains(headers, "Content-Type", MULTIPART_MARKER):
        data = data.replace(b"\n", b"\r\n")
    if autocomplete:
        if not has_header(headers, "Connection"):
            headers.append(("Connection", "close"))
        if not has_header(headers, "Content-Length") and \
                (data or METHODS_WITH_BODY.search(spec["method"])):
            headers.append(("Content-Length", str(len(data))))
    out = bytearray(to_bytes("%s %s %s\r\n" % (spec["method"], spec["uri"], spec["version"])))
    for name, value in headers:
        out += to_bytes(name) + b": " + to_bytes(value) + b"\r\n"
    out += b"\r\n" + data
    return bytes(out)


def go_base64(text, field):
    cleaned = re.sub(r"[\r\n]", "", text)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (ValueError, base64.binascii.Error) as exc:
        raise CorpusError("%s is not valid base64: %s" % (field, exc))


def stage_headers(inp, header_order):
    if inp.get("ordered_headers") is not None:
        tuples = inp["ordered_headers"]
        if not isinstance(tuples, list):
            raise CorpusError("ordered_headers must be a list")
        return [(as_str(t.get("name"), "header name"), as_str(t.get("value"), "header value"))
                for t in tuples]
    headers = inp.get("headers") or {}
    if not isinstance(headers, dict):
        raise CorpusError("headers must be a map")
    pairs = [(as_str(k, "header name"), as_str(v, "header value")) for k, v in headers.items()]
    if header_order == "go-ftw":
        pairs.sort(key=lambda pair: to_bytes(pair[0]))
    return pairs


def stage_body(inp):
    if inp.get("data") is not None:
        return to_bytes(render_go_template(as_str(inp["data"], "data")))
    if inp.get("encoded_data") is not None:
        return go_base64(as_str(inp["encoded_data"], "encoded_data"), "encoded_data")
    return None


def autocomplete_flag(inp):
    auto = as_bool(inp.get("autocomplete_headers"), "autocomplete_headers")
    stop = as_bool(inp.get("stop_magic"), "stop_magic")
    if auto is not None:
        return auto
    if stop is not None:
        return not stop
    return True


def optional_str(inp, key, default):
    return default if inp.get(key) is None else as_str(inp[key], key)


def parse_input(inp, header_order):
    if not isinstance(inp, dict):
        raise CorpusError("stage input must be a map")
    encoded = inp.get("encoded_request")
    if inp.get("data") is not None and encoded:
        raise CorpusError("'data' and 'encoded_request' must not be set simultaneously")
    return {
        "method": optional_str(inp, "method", "GET"),
        "uri": optional_str(inp, "uri", "/"),
        "version": optional_str(inp, "version", "HTTP/1.1"),
        "headers": stage_headers(inp, header_order),
        "data": stage_body(inp),
        "autocomplete": autocomplete_flag(inp),
        "encoded_request": go_base64(as_str(encoded, "encoded_request"), "encoded_request")
        if encoded else None,
    }


def parse_output(out):
    out = out or {}
    if not isinstance(out, dict):
        raise CorpusError("stage output must be a map")
    log = out.get("log") or {}
    status = out.get("status")
    expect = {
        "status": as_int_list(status, "status") if status not in (None, 0, "0") else [],
        "response_contains": as_str(out.get("response_contains"), "response_contains"),
        "expect_ids": as_int_list(log.get("expect_ids"), "expect_ids"),
        "no_expect_ids": as_int_list(log.get("no_expect_ids"), "no_expect_ids"),
        "match_regex": as_str(log.get("match_regex"), "match_regex"),
        "no_match_regex": as_str(log.get("no_match_regex"), "no_match_regex"),
        "expect_error": bool(as_bool(out.get("expect_error"), "expect_error")),
        "retry_once": bool(as_bool(out.get("retry_once"), "retry_once")),
        "isolated": bool(as_bool(out.get("isolated"), "isolated")),
    }
    if out.get("log_contains") and not log.get("expect_ids") and not expect["match_regex"]:
        expect["match_regex"] = as_str(out["log_contains"], "log_contains")
    if out.get("no_log_contains") and not log.get("no_expect_ids") and not expect["no_match_regex"]:
        expect["no_match_regex"] = as_str(out["no_log_contains"], "no_log_contains")
    expect["expect_ids"] += as_int_list(out.get("expect_ids"), "expect_ids")
    expect["no_expect_ids"] += as_int_list(out.get("no_expect_ids"), "no_expect_ids")
    if expect["isolated"] and len(expect["expect_ids"]) != 1:
        raise CorpusError("'isolated' is only valid if 'expect_ids' has exactly one entry")
    for key in ("response_contains", "match_regex", "no_match_regex"):
        if expect[key]:
            compile_go_regex(expect[key])
    return expect


def compile_go_regex(pattern):
    translated = pattern.replace(r"\z", r"\Z")
    try:
        return re.compile(translated)
    except re.error as exc:
        raise CorpusError("bad regex %r: %s" % (pattern, exc))


# ------------------------------------------------------------ corpus model
class KeyCensus:
    """Counts every key seen in the corpus and which tests use unsupported ones."""

    def __init__(self):
        self.counts = {}
        self.unsupported_tests = {}

    def see(self, scope, keys):
        for key in keys:
            label = "%s.%s" % (scope, key)
            self.counts[label] = self.counts.get(label, 0) + 1

    def flag(self, test_key, what):
        self.unsupported_tests.setdefault(what, set()).add(test_key)


def census_input(census, inp, test_key):
    census.see("input", inp.keys())
    for key in inp:
        if key in UNSUPPORTED_INPUT_KEYS and inp[key] not in (None, False, "false", {}):
            census.flag(test_key, "input.%s: %s" % (key, UNSUPPORTED_INPUT_KEYS[key]))
        elif key not in HANDLED_INPUT_KEYS and key not in IGNORED_INPUT_KEYS \
                and key not in UNSUPPORTED_INPUT_KEYS and key != "protocol":
            census.flag(test_key, "input.%s (unknown key, ignored)" % key)
    if str(inp.get("protocol") or "http").lower() != "http":
        census.flag(test_key, "input.protocol=%s (sent as plain HTTP)" % inp["protocol"])


def census_output(census, out, test_key):
    census.see("output", out.keys())
    if isinstance(out.get("log"), dict):
        census.see("output.log", out["log"].keys())
        unknown = set(out["log"]) - HANDLED_LOG_KEYS
        for key in unknown:
            census.flag(test_key, "output.log.%s (unknown key, ignored)" % key)
    for key in set(out) - HANDLED_OUTPUT_KEYS:
        census.flag(test_key, "output.%s (unknown key, ignored)" % key)
    for pattern in log_regexes(out):
        kind = regex_kind(pattern)
        if kind == "real-log":
            census.flag(test_key, "log regex that names no rule id (needs the real WAF log; "
                        "fails against the synthetic log)")
        elif kind == "named-ids":
            census.flag(test_key, "log regex that needs more than `[id \"N\"]` (reduced to "
                        "the rule ids it names)")


def log_regexes(out):
    log = out.get("log") if isinstance(out.get("log"), dict) else {}
    found = [out.get("log_contains"), out.get("no_log_contains"),
             log.get("match_regex"), log.get("no_match_regex")]
    return [str(pattern) for pattern in found if pattern]


def make_stage(raw_stage, index, test_key, census, header_order):
    stage = {"index": index, "spec": None, "expect": None, "error": None}
    if not isinstance(raw_stage, dict):
        stage["error"] = "stage is not a map"
        return stage
    census.see("stage", raw_stage.keys())
    for key in set(raw_stage) - KNOWN_STAGE_KEYS:
        census.flag(test_key, "stage.%s (unknown key, ignored)" % key)
    inp, out = raw_stage.get("input") or {}, raw_stage.get("output") or {}
    if isinstance(inp, dict):
        census_input(census, inp, test_key)
    if isinstance(out, dict):
        census_output(census, out, test_key)
    try:
        stage["spec"] = parse_input(inp, header_order)
        stage["expect"] = parse_output(out)
        stage["request"] = build_request(stage["spec"])
    except CorpusError as exc:
        stage["error"] = str(exc)
    return stage


def rule_id_for(doc, path):
    if doc.get("rule_id") not in (None, "", 0, "0"):
        return as_int(doc["rule_id"], "rule_id")
    digits = re.search(r"\d+", os.path.basename(path))
    if not digits:
        raise CorpusError("no rule_id and no digits in the file name")
    return int(digits.group(0))


def make_test(raw_test, position, rule_id, path, census, header_order):
    if not isinstance(raw_test, dict):
        raise CorpusError("test #%d is not a map" % position)
    census.see("test", raw_test.keys())
    test_id = raw_test.get("test_id") if raw_test.get("test_id") not in (None, "0", 0) \
        else raw_test.get("id")
    test_id = as_int(test_id, "test_id") if test_id not in (None, "0", 0) else position
    key = "%d-%d" % (rule_id, test_id)
    for field in set(raw_test) - KNOWN_TEST_KEYS:
        what = "v3 test template" if field in UNSUPPORTED_TEST_KEYS else "unknown key"
        census.flag(key, "test.%s (%s, ignored)" % (field, what))
    stages = raw_test.get("stages") or []
    return {
        "rule_id": rule_id, "test_id": test_id, "key": key, "file": path,
        "stages": [make_stage(s, i, key, census, header_order) for i, s in enumerate(stages)],
    }


def load_corpus(corpus_dir, header_order):
    """Returns (tests, file_problems, warnings, census, file_count)."""
    tests, problems, warnings = [], [], []
    census = KeyCensus()
    files = find_corpus_files(corpus_dir)
    for path in files:
        rel = os.path.relpath(path, corpus_dir)
        try:
            doc, duplicates = load_yaml_file(path)
        except (yaml.YAMLError, OSError) as exc:
            problems.append((rel, "YAML error: %s" % str(exc).replace("\n", " ")))
            continue
        if duplicates:
            problems.append((rel, "duplicate mapping keys (go-ftw rejects the file): %s"
                             % ", ".join("%s@line %d" % d for d in duplicates)))
            continue
        if doc is None:
            warnings.append("%s: empty document, no tests" % rel)
            continue
        if not isinstance(doc, dict):
            problems.append((rel, "top level is not a map"))
            continue
        census.see("file", doc.keys())
        for key in sorted(set(map(str, doc)) - KNOWN_TOP_KEYS):
            warnings.append("%s: unknown top-level key %r ignored (go-ftw ignores it too)"
                            % (rel, key))
        try:
            rule_id = rule_id_for(doc, path)
            if str(rule_id) not in os.path.basename(path):
                warnings.append("%s: rule_id %d does not match the file name (used as written, "
                                "like go-ftw)" % (rel, rule_id))
            raw_tests = doc.get("tests") or []
            for position, raw_test in enumerate(raw_tests, start=1):
                tests.append(make_test(raw_test, position, rule_id, rel, census, header_order))
        except CorpusError as exc:
            problems.append((rel, str(exc)))
    return tests, problems, warnings, census, len(files)


def load_overrides(path):
    """{(rule_id, test_id or None): reason}; None means every test of the rule."""
    with open(path, "rb") as handle:
        doc = yaml.safe_load(handle) or {}
    excused = {}
    for entry in doc.get("test_overrides") or []:
        rule_id = as_int(entry.get("rule_id"), "rule_id")
        reason = str(entry.get("reason") or "")
        for test_id in entry.get("test_ids") or [None]:
            excused[(rule_id, None if test_id is None else int(test_id))] = reason
    return excused


def excuse_reason(excused, test):
    for key in ((test["rule_id"], test["test_id"]), (test["rule_id"], None)):
        if key in excused:
            return excused[key]
    return None


# ------------------------------------------------------------- HTTP client
def parse_server(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit("--server must be HOST:PORT, got %r" % text)
    return host.strip("[]"), int(port)


def server_reachable(server):
    try:
        with socket.create_connection(server, timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


def recv_some(sock, deadline):
    """bytes; b'' when the peer closed; None when the deadline passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    sock.settimeout(remaining)
    try:
        return sock.recv(RECV_CHUNK_BYTES)
    except socket.timeout:
        return None
    except OSError:
        return b""


def header_end(buf):
    ends = [(buf.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n")]
    ends = [(pos, size) for pos, size in ends if pos >= 0]
    return min(ends) if ends else None


def parse_head(head):
    """(status, headers) following net/http.ReadResponse; status None if malformed."""
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    proto, sep, rest = lines[0].partition(" ")
    code = rest.lstrip(" ").partition(" ")[0]
    if not sep or len(code) != 3 or not code.isdigit() or not GO_HTTP_VERSION.match(proto):
        return None, []
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    return int(code), headers


def chunked_body(data):
    """(complete, decoded) for a chunked body received so far."""
    decoded, pos = bytearray(), 0
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return False, bytes(decoded)
        size_text = data[pos:line_end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return True, bytes(decoded)          # garbage: stop reading
        if size == 0:
            return data.find(b"\r\n", line_end + 2) >= 0, bytes(decoded)
        start = line_end + 2
        if len(data) < start + size + 2:
            return False, bytes(decoded)
        decoded += data[start:start + size]
        pos = start + size + 2


def body_complete(method, status, headers, body):
    """(complete, decoded body) according to the response framing."""
    if method == "HEAD" or status in NO_BODY_STATUSES or 100 <= status < 200:
        return True, b""
    values = dict(headers)
    if "chunked" in values.get("transfer-encoding", "").lower():
        return chunked_body(body)
    length = values.get("content-length", "")
    if length.isdigit():
        return len(body) >= int(length), body[:int(length)]
    return False, body                             # until close


def read_response(sock, deadline, method):
    raw, head_at, note = bytearray(), None, None
    while True:
        if head_at is None:
            head_at = header_end(raw)
        if head_at is not None:
            status, headers = parse_head(bytes(raw[:head_at[0]]))
            if status is None:
                break
            done, _ = body_complete(method, status, headers, bytes(raw[sum(head_at):]))
            if done:
                break
        if len(raw) > MAX_RESPONSE_BYTES or (head_at is None and len(raw) > MAX_HEADER_BYTES):
            note = "response too large, truncated"
            break
        chunk = recv_some(sock, deadline)
        if chunk is None:
            note = "deadline passed while reading"
            break
        if not chunk:
            break
        raw += chunk
    return finish_response(bytes(raw), head_at, method, note)


def finish_response(raw, head_at, method, note):
    response = {"status": None, "headers": [], "body": b"", "raw": raw, "ids": [], "error": None}
    if head_at is None:
        response["error"] = note or ("connection closed without a response" if not raw
                                     else "incomplete response head")
        return response
    status, headers = parse_head(raw[:head_at[0]])
    if status is None:
        response["error"] = "malformed status line %r" % raw.split(b"\n", 1)[0][:80]
        return response
    _done, body = body_complete(method, status, headers, raw[sum(head_at):])
    request_id = next((value for name, value in headers if name == REQUEST_ID_HEADER), None)
    ids = waf_ids(headers)
    log = SERVER_LOG.rules(request_id, bool(ids)) if SERVER_LOG else []
    response.update(status=status, headers=headers, body=body, ids=ids, log=log)
    if note:
        response["note"] = note
    return response


def waf_ids(headers):
    ids = set()
    for name, value in headers:
        if name == WAF_RULES_HEADER:
            ids.update(int(part) for part in re.split(r"[,\s]+", value) if part.isdigit())
    return sorted(ids)


def exchange(server, payload, timeout):
    deadline = time.monotonic() + timeout
    method = payload.split(b" ", 1)[0].decode("latin-1")
    try:
        sock = socket.create_connection(server, timeout=min(CONNECT_TIMEOUT_SECONDS, timeout))
    except OSError as exc:
        return finish_response(b"", None, method, "connect failed: %s" % exc)
    with sock:
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.sendall(payload)
        except OSError:
            pass                     # the server may answer early and close; read anyway
        return read_response(sock, deadline, method)


# ------------------------------------------------------------------ the log
class ServerLog:
    """bext's stderr, read as it grows: the WAF's log lines by transaction id.

    bext writes a transaction's line before it sends the response, but the
    file may be a copy made as the lines come (the test harness's), so a line
    that must exist (the response names matched rules) is waited for, up to
    LOG_WAIT_SECONDS."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.lines = {}
        self.lock = threading.Lock()

    def _read_new(self):
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        self.offset += len(data)
        data = self.partial + data
        *complete, self.partial = data.split(b"\n")
        for raw in complete:
            line = raw.decode("utf-8", "replace")
            match = LOG_LINE.match(line)
            if match:
                self.lines.setdefault(match.group(1), []).append(line)

    def rules(self, request_id, expected):
        """One line per rule the transaction logged: the request's part, then the rule's."""
        if not request_id:
            return []
        deadline = time.monotonic() + (LOG_WAIT_SECONDS if expected else 0.0)
        with self.lock:
            self._read_new()
            while request_id not in self.lines and time.monotonic() < deadline:
                time.sleep(LOG_POLL_SECONDS)
                self._read_new()
            found = self.lines.get(request_id, [])
        out = []
        for line in found:
            head, sep, rest = line.partition(': [id "')
            if not sep:
                continue
            for part in ('[id "' + rest).split(LOG_RULE_BOUNDARY):
                part = part if part.startswith('[id "') else '[id "' + part
                out.append(head + ": " + part)
        return out


# Set by main() when --log is given.
SERVER_LOG = None


# ------------------------------------------------------------------ checks
def synthetic_log(ids):
    return ['[id "%d"]' % rule_id for rule_id in ids]


def ids_named_in_regex(pattern):
    return {int(rule_id) for rule_id in REGEX_NAMED_ID.findall(pattern)}


def regex_in_log(pattern, ids, log=()):
    """True if the regex matches a synthetic log line or a real one, or names
    (as `id "N"`) a rule id that matched: the old log_contains style mapped to
    ids."""
    compiled = compile_go_regex(pattern)
    if any(compiled.search(line) for line in list(synthetic_log(ids)) + list(log)):
        return True
    return bool(ids_named_in_regex(pattern) & set(ids))


def regex_kind(pattern):
    """'synthetic': a `[id "N"]` line can match it; 'named-ids': it only works
    through the ids it names; 'real-log': neither (needs the real WAF log)."""
    named = sorted(ids_named_in_regex(pattern))
    try:
        compiled = compile_go_regex(pattern)
    except CorpusError:
        return "synthetic"
    if any(compiled.search(line) for line in synthetic_log(named or [PROBE_RULE_ID])):
        return "synthetic"
    return "named-ids" if named else "real-log"


def top_level_alternatives(pattern):
    """The regex's top-level `|` branches (outside groups, classes and escapes)."""
    branches, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, c in enumerate(pattern):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    branches.append(pattern[start:])
    return branches


def regex_note(pattern):
    if SERVER_LOG is not None:
        return ""
    if regex_kind(pattern) == "real-log":
        return " (runner limitation: the synthetic log only has rule ids)"
    if any(regex_kind(branch) == "real-log" for branch in top_level_alternatives(pattern)):
        # e.g. ModSecurity's body-error text `...|[id "922130"]...`: the id branch is
        # checked, the text branch needs the real WAF log.
        return " (runner limitation: an alternative needs the real WAF log)"
    return ""


def check_log(expect, ids, log=()):
    failures = []
    if expect["match_regex"] and not regex_in_log(expect["match_regex"], ids, log):
        failures.append("log does not match %r%s" % (expect["match_regex"],
                                                     regex_note(expect["match_regex"])))
    missing = [i for i in expect["expect_ids"] if i not in ids]
    if missing:
        failures.append("expected ids missing: %s" % ",".join(map(str, missing)))
    if expect["isolated"] and len(ids) != 1:
        failures.append("isolated: %d rules matched, expected exactly 1" % len(ids))
    if expect["no_match_regex"] and regex_in_log(expect["no_match_regex"], ids, log):
        failures.append("log unexpectedly matches %r" % expect["no_match_regex"])
    present = [i for i in expect["no_expect_ids"] if i in ids]
    if present:
        failures.append("unexpected ids present: %s" % ",".join(map(str, present)))
    return failures


def check_stage(expect, response):
    """List of failure reasons (empty = pass), go-ftw checkResult order."""
    errored = response["status"] is None
    if expect["expect_error"]:
        return [] if errored else ["expected a request error, got status %s" % response["status"]]
    if errored:
        return ["no HTTP response: %s" % response["error"]]
    failures = []
    if expect["status"] and response["status"] not in expect["status"]:
        failures.append("status %d not in %s" % (response["status"], expect["status"]))
    if expect["response_contains"]:
        text = response["raw"].decode("utf-8", "surrogateescape")
        if not compile_go_regex(expect["response_contains"]).search(text):
            failures.append("response does not match %r" % expect["response_contains"])
    return failures + check_log(expect, response["ids"], response.get("log", ()))


def expected_summary(expect):
    return {key: value for key, value in expect.items()
            if value not in ("", [], False) and key != "retry_once"}


# ------------------------------------------------------------------ runner
def run_stage(stage, server, timeout):
    if stage["error"]:
        return {"passed": False, "reasons": ["cannot build request: %s" % stage["error"]],
                "got": {}}
    response = exchange(server, stage["request"], timeout)
    reasons = check_stage(stage["expect"], response)
    if reasons and stage["expect"]["retry_once"]:
        response = exchange(server, stage["request"], timeout)
        reasons = check_stage(stage["expect"], response)
    got = {"status": response["status"], "ids": response["ids"]}
    if response["error"] or response.get("note"):
        got["error"] = response["error"] or response["note"]
    return {"passed": not reasons, "reasons": reasons, "got": got}


def run_test(test, server, timeout):
    results = [run_stage(stage, server, timeout) for stage in test["stages"]]
    if not test["stages"]:
        results = [{"passed": False, "reasons": ["test has no stages"], "got": {}}]
    return results


def failure_records(test, results, excuse):
    records = []
    for stage, result in zip(test["stages"] or [None], results):
        if result["passed"]:
            continue
        records.append({
            "rule_id": test["rule_id"], "test_id": test["test_id"],
            "stage": stage["index"] + 1 if stage else 0,
            "reason": "; ".join(result["reasons"]),
            "expected": expected_summary(stage["expect"]) if stage and stage["expect"] else {},
            "got": result["got"], "excused": excuse is not None,
            "override_reason": excuse, "file": test["file"],
        })
    return records


def run_all(tests, server, jobs, timeout, excused, verbose):
    outcomes, lock = [], threading.Lock()

    def one(test):
        results = run_test(test, server, timeout)
        excuse = excuse_reason(excused, test)
        outcome = {"test": test, "passed": all(r["passed"] for r in results),
                   "excuse": excuse, "failures": failure_records(test, results, excuse)}
        with lock:
            outcomes.append(outcome)
            if verbose:
                print_verbose(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, tests))
    return outcomes


def print_verbose(outcome):
    label = "ok  " if outcome["passed"] else ("FAIL" if outcome["excuse"] is None else "fail*")
    print("%s %s (%s)" % (label, outcome["test"]["key"], outcome["test"]["file"]), flush=True)
    for failure in outcome["failures"]:
        print("      stage %d: %s  got=%s" % (failure["stage"], failure["reason"],
                                             json.dumps(failure["got"])), flush=True)


# ------------------------------------------------------------------ report
def summarize(outcomes, problems, census, file_count, excused_path):
    total = len(outcomes)
    passed = sum(1 for o in outcomes if o["passed"])
    failed = [o for o in outcomes if not o["passed"]]
    excused_failed = sum(1 for o in failed if o["excuse"] is not None)
    expected = [o for o in outcomes if o["excuse"] is None]
    expected_passed = sum(1 for o in expected if o["passed"])
    rate = 100.0 * expected_passed / len(expected) if expected else 0.0
    per_rule = {}
    for outcome in failed:
        entry = per_rule.setdefault(outcome["test"]["rule_id"], [0, 0])
        entry[0] += 1
        entry[1] += outcome["excuse"] is not None
    return {
        "files": file_count, "files_not_loaded": len(problems), "tests": total,
        "stages": sum(len(o["test"]["stages"]) for o in outcomes),
        "passed": passed, "failed": len(failed), "failed_excused": excused_failed,
        "coraza_expected_tests": len(expected), "coraza_expected_passed": expected_passed,
        "pass_rate_percent": round(rate, 2), "overrides": excused_path,
        "unbuildable_stages": sum(1 for o in outcomes for s in o["test"]["stages"] if s["error"]),
        "failures_by_rule": [
            {"rule_id": rule, "failed": counts[0], "excused": counts[1]}
            for rule, counts in sorted(per_rule.items(), key=lambda kv: (-kv[1][0], kv[0]))],
        "corpus_keys": dict(sorted(census.counts.items())),
        "unsupported": unsupported_counts(census, outcomes),
        "load_problems": [{"file": f, "problem": p} for f, p in problems],
    }


def unsupported_counts(census, outcomes):
    selected = {o["test"]["key"] for o in outcomes}
    counts = {what: len(keys & selected) for what, keys in census.unsupported_tests.items()}
    return {what: count for what, count in sorted(counts.items()) if count}


def print_census(census):
    print("corpus keys (count of occurrences):")
    for label, count in sorted(census.counts.items()):
        print("  %-32s %6d%s" % (label, count, key_note(label)))


def key_note(label):
    scope, _, key = label.partition(".")
    if scope == "input" and key in IGNORED_INPUT_KEYS:
        return "  " + IGNORED_INPUT_KEYS[key]
    if scope == "input" and key in UNSUPPORTED_INPUT_KEYS:
        return "  unsupported: " + UNSUPPORTED_INPUT_KEYS[key]
    return ""


def print_report(summary, warnings, verbose, census):
    for warning in warnings:
        print("warning: %s" % warning)
    for problem in summary["load_problems"]:
        print("not loaded: %s: %s" % (problem["file"], problem["problem"]))
    if verbose:
        print_census(census)
    for what, count in summary["unsupported"].items():
        print("unsupported: %s touches %d test(s)" % (what, count))
    if summary["unbuildable_stages"]:
        print("%d stage(s) could not be built (reported as failures)"
              % summary["unbuildable_stages"])
    rows = summary["failures_by_rule"]
    if rows:
        print("failing tests per rule (rule: failing [of them %s]):" % EXCUSE_LABEL)
        for row in rows[:TOP_FAILURE_RULES_SHOWN]:
            print("  %d: %d [%d]" % (row["rule_id"], row["failed"], row["excused"]))
        if len(rows) > TOP_FAILURE_RULES_SHOWN:
            print("  ... %d more rules (see --json)" % (len(rows) - TOP_FAILURE_RULES_SHOWN))
    print("crs corpus: %d of %d tests pass (%.1f%% of the tests Coraza passes), "
          "%d fail (%d of them %s)" % (summary["passed"], summary["tests"],
                                       summary["pass_rate_percent"], summary["failed"],
                                       summary["failed_excused"], EXCUSE_LABEL))


# ----------------------------------------------------------------- dry run
def escape_bytes(data):
    out = []
    for byte in data:
        if byte == 0x0A:
            out.append("\\n\n")
        elif byte == 0x0D:
            out.append("\\r")
        elif byte == 0x09:
            out.append("\\t")
        elif byte == 0x5C:
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append("\\x%02x" % byte)
    return "".join(out)


def dry_run(tests):
    for test in tests:
        for stage in test["stages"]:
            header = "=== %s stage %d" % (test["key"], stage["index"] + 1)
            if stage["error"]:
                print("%s: CANNOT BUILD: %s" % (header, stage["error"]))
                continue
            print("%s (%d bytes)" % (header, len(stage["request"])))
            print(escape_bytes(stage["request"]))
            print("=== end")


def dump_requests(tests, path):
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for test in tests:
            for stage in test["stages"]:
                if stage["error"]:
                    continue
                handle.write(json.dumps({"key": test["key"], "stage": stage["index"] + 1,
                                         "request": stage["request"].hex()}) + "\n")
                count += 1
    print("dumped %d requests to %s" % (count, path))
    return 0 if count else 1


# --------------------------------------------------------------------- CLI
def default_overrides(corpus):
    guess = os.path.join(os.path.dirname(os.path.abspath(corpus.rstrip("/"))),
                         DEFAULT_OVERRIDES_NAME)
    return guess if os.path.exists(guess) else None


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Run the OWASP CRS go-ftw regression "
                                     "corpus against a bext server in WAF test mode.")
    parser.add_argument("--server", help="HOST:PORT of the bext server under test")
    parser.add_argument("--corpus", required=True, help="directory of go-ftw YAML tests")
    parser.add_argument("--overrides", help="go-ftw platform overrides file (default: "
                        "%s next to the corpus directory)" % DEFAULT_OVERRIDES_NAME)
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS)
    parser.add_argument("--json", dest="json_out", help="write a JSON report here")
    parser.add_argument("--only", nargs="+", metavar="RULE_ID",
                        help="run only these rules (RULE or RULE-TEST)")
    parser.add_argument("--log", help="bext's stderr: the WAF log lines the log regexes "
                        "are also searched in (by the response's bext-request-id)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the exact request bytes of every stage; no network")
    parser.add_argument("--dump-requests", metavar="OUT",
                        help="write each stage's request bytes to OUT as JSON lines; "
                        "no network")
    parser.add_argument("--timeout", type=float, default=REQUEST_DEADLINE_SECONDS,
                        help="per-request deadline in seconds")
    parser.add_argument("--min-pass-rate", type=float, metavar="PERCENT",
                        help="exit 1 if the pass rate over the tests Coraza passes is lower")
    parser.add_argument("--header-order", choices=("go-ftw", "yaml"), default="go-ftw",
                        help="go-ftw sends `headers` sorted by name (default); "
                        "'yaml' keeps the YAML order")
    args = parser.parse_args(argv)
    if not args.dry_run and not args.dump_requests and not args.server:
        parser.error("--server is required unless --dry-run")
    return args


def select_tests(tests, only):
    if not only:
        return tests
    wanted = set(only)
    return [t for t in tests if str(t["rule_id"]) in wanted or t["key"] in wanted]


def write_json(path, summary, outcomes):
    failures = [f for o in sorted(outcomes, key=lambda o: (o["test"]["rule_id"],
                                                           o["test"]["test_id"]))
                for f in o["failures"]]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"summary": summary, "failures": failures}, handle, indent=1)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    tests, problems, warnings, census, file_count = load_corpus(args.corpus, args.header_order)
    tests = select_tests(tests, args.only)
    if args.dump_requests:
        return dump_requests(tests, args.dump_requests)
    if args.dry_run:
        dry_run(tests)
        unbuildable = sum(1 for t in tests for s in t["stages"] if s["error"])
        print("dry run: %d files, %d not loaded, %d tests, %d stages, %d unbuildable"
              % (file_count, len(problems), len(tests),
                 sum(len(t["stages"]) for t in tests), unbuildable))
        for rel, problem in problems:
            print("not loaded: %s: %s" % (rel, problem))
        return 0
    global SERVER_LOG
    if args.log:
        SERVER_LOG = ServerLog(args.log)
    server = parse_server(args.server)
    if not server_reachable(server):
        print("crs corpus: server %s is unreachable" % args.server, file=sys.stderr)
        return 2
    overrides_path = args.overrides or default_overrides(args.corpus)
    excused = load_overrides(overrides_path) if overrides_path else {}
    outcomes = run_all(tests, server, args.jobs, args.timeout, excused, args.verbose)
    summary = summarize(outcomes, problems, census, file_count, overrides_path)
    if args.json_out:
        write_json(args.json_out, summary, outcomes)
    print_report(summary, warnings, args.verbose, census)
    if args.min_pass_rate is not None and summary["pass_rate_percent"] < args.min_pass_rate:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

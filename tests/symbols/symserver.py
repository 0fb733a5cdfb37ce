#!/usr/bin/env python3
"""A symbol server for the tests: serves a store directory over HTTP on a free loopback port.

usage: symserver.py ROOT PORTFILE LOGFILE [--slow SUBSTR SECONDS] [--fail SUBSTR CODE] [--redirect SUBSTR URL]
Writes the port it listens on to PORTFILE, one line per request as it arrives ("ASK path") and as it is answered ("GET path code") to LOGFILE.
Requests whose path contains SUBSTR are answered after SECONDS (--slow), with CODE (--fail) or with a
302 to URL (--redirect)."""
import functools
import http.server
import sys
import time

root, portfile, logfile = sys.argv[1:4]
rules = sys.argv[4:]
slow, fail, redirect = {}, {}, {}
while rules:
    kind, sub, val = rules[:3]
    rules = rules[3:]
    if kind == "--slow":
        slow[sub] = float(val)
    elif kind == "--fail":
        fail[sub] = int(val)
    else:
        redirect[sub] = val


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        with open(logfile, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, code))

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(logfile, "a") as f:
            f.write("ASK %s\n" % self.path)
        for sub, secs in slow.items():
            if sub in self.path:
                time.sleep(secs)
        for sub, url in redirect.items():
            if sub in self.path:
                self.send_response(302)
                self.send_header("Location", url)
                self.end_headers()
                return
        for sub, code in fail.items():
            if sub in self.path:
                self.send_error(code)
                return
        super().do_GET()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
import os
os.rename(portfile + ".tmp", portfile)
server.serve_forever()

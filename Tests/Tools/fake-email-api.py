#!/usr/bin/env python3
"""A fake email API for the integration tests, as Resend's and Postmark's take a message: each
POST is written down as one JSON line in OUT (the time it arrived, its path, its Authorization
header and its JSON body), then answered after DELAY seconds with STATUS and `{"id": …}`.

Usage: fake-email-api.py PORT_FILE OUT DELAY STATUS   (listens on a free loopback port, written to PORT_FILE)
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, out_path, delay, status = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
lock = threading.Lock()
count = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        record = {"received": time.time(), "path": self.path, "authorization": self.headers.get("Authorization"),
                  "body": json.loads(body or b"null")}
        with lock:
            count += 1
            number = count
            with open(out_path, "a") as out:
                out.write(json.dumps(record) + "\n")
        time.sleep(delay)
        answer = json.dumps({"id": f"email-{number}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

#!/usr/bin/env python3
"""An OTLP/HTTP receiver for the integration tests: what an OpenTelemetry Collector's OTLP/HTTP
port does with what it is sent, decoded with the OpenTelemetry project's own protobuf definitions
(the opentelemetry-proto package), and written down for the test to read.

Each span becomes one JSON line in OUT (trace, span and parent ids in hex, name, kind, attributes,
status, and the resource's service.name); each metric data point a line with its name and
attributes. Protobuf and JSON bodies, gzip or not, Content-Length or chunked, as OTLP/HTTP allows.

Usage: otlp-receiver.py PORT_FILE OUT   (listens on a free loopback port, written to PORT_FILE)
"""
import gzip
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest, ExportMetricsServiceResponse)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest, ExportTraceServiceResponse)

port_file, out_path = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def value(any_value):
    which = any_value.WhichOneof("value")
    if which is None:
        return None
    if which in ("array_value", "kvlist_value"):
        return str(getattr(any_value, which))
    if which == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, which)


def attributes(pairs):
    return {pair.key: value(pair.value) for pair in pairs}


def write(records):
    with lock, open(out_path, "a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def spans(request):
    for resource in request.resource_spans:
        service = attributes(resource.resource.attributes).get("service.name")
        for scope in resource.scope_spans:
            for span in scope.spans:
                yield {
                    "type": "span", "service": service, "name": span.name, "kind": span.kind,
                    "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(), "attributes": attributes(span.attributes),
                    "status": {"code": span.status.code, "message": span.status.message},
                    "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                }


def metrics(request):
    for resource in request.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                kind = metric.WhichOneof("data")
                for point in getattr(metric, kind).data_points:
                    yield {"type": "metric", "name": metric.name, "attributes": attributes(point.attributes)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(chunks)
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            data = gzip.decompress(data)
        return data

    def do_POST(self):
        data = self.body()
        as_json = self.headers.get("Content-Type", "").startswith("application/json")
        kinds = {
            "/v1/traces": (ExportTraceServiceRequest, ExportTraceServiceResponse, spans),
            "/v1/metrics": (ExportMetricsServiceRequest, ExportMetricsServiceResponse, metrics),
        }
        if self.path not in kinds:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request_type, response_type, records = kinds[self.path]
        request = request_type()
        if as_json:
            json_format.Parse(data, request)
        else:
            request.ParseFromString(data)
        write(records(request))
        answer = json_format.MessageToJson(response_type()).encode() if as_json else response_type().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if as_json else "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

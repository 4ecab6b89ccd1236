"""A stand-in for the few Solr HTTP endpoints CKAN calls. Standard library only.

CKAN cannot create an organisation or a dataset unless something answers
Solr's /update (docs: /work/shared/servers.md, "How CKAN uses Solr"). This
answers, under /solr/<core>/:

  GET  select                       an empty result (numFound 0)
  POST update                       OK (the documents are not kept)
  GET  schema?wt=schema.xml         <schema name="ckan-2.11"> (accepted by CKAN 2.11 and 2.12)
  GET  admin/file/?file=schema.xml  the same
  GET  admin/ping                   OK

So package_search finds nothing; package_show falls back to the database,
which is what openbook's publisher uses.

Usage: python solr_standin.py PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA = b'<?xml version="1.0" encoding="UTF-8"?>\n<schema name="ckan-2.11" version="1.6"/>\n'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, obj):
        self._send(200, json.dumps(obj).encode())

    def do_GET(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/select"):
            self._json({"responseHeader": {"status": 0, "QTime": 0},
                        "response": {"numFound": 0, "start": 0, "docs": []}})
        elif path.endswith("/schema") or path.endswith("/admin/file"):
            self._send(200, SCHEMA, "application/xml")
        elif path.endswith("/admin/ping"):
            self._json({"responseHeader": {"status": 0}, "status": "OK"})
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/update"):
            self._json({"responseHeader": {"status": 0, "QTime": 0}})
        elif path.endswith("/select"):
            self._json({"responseHeader": {"status": 0, "QTime": 0},
                        "response": {"numFound": 0, "start": 0, "docs": []}})
        else:
            self._send(404, b'{"error": "not found"}')

    def log_message(self, format, *args):  # quiet
        pass


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()

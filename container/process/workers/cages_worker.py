"""A worker for cages' pool mode (and per-request mode), in one file, standard library only.

Pool mode: frames on stdin/stdout, each a 4-byte big-endian length and UTF-8 JSON with a "type".
The host sends "request" and "heartbeat"; the worker sends "ready" once, then "answer" or "error" per request
and "heartbeat" back for each heartbeat. EOF on stdin means: exit. Print logs to stderr (stdout carries frames).

    import cages_worker

    def quote(params, request):          # request: the whole envelope (id, caller, deadlineMs, body, ...)
        return {"sku": params["sku"]}     # any JSON value; or cages_worker.Body(b"...", "text/plain")

    cages_worker.serve({"quote": quote})          # pool mode
    cages_worker.serve_once({"quote": quote})     # per-request mode: one envelope on stdin, one answer on stdout

Raise cages_worker.CageError("bad_request", "why") for a typed error; any other exception is an "internal" error.
The host puts this file on PYTHONPATH, so a cage need not ship it.
"""
import base64
import json
import os
import struct
import sys
import traceback

__all__ = ["serve", "serve_once", "CageError", "Body", "body_of"]


class CageError(Exception):
    """A typed error: code is one of bad_request, not_found, unavailable, deadline_exceeded, internal."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Body:
    """Raw bytes to answer instead of a JSON value."""

    def __init__(self, data, content_type="application/octet-stream"):
        self.data = data if isinstance(data, bytes) else str(data).encode("utf-8")
        self.content_type = content_type


def body_of(request):
    """The request's body as bytes (b"" when it had none)."""
    body = request.get("body")
    return base64.b64decode(body) if body else b""


def _answer(handlers, request):
    """The answer or error object for one request envelope (without type/id)."""
    handler = handlers.get(request.get("operation"))
    if handler is None:
        return {"error": {"code": "not_found", "message": "no operation '%s' (known: %s)"
                          % (request.get("operation"), ", ".join(sorted(handlers)))}}
    try:
        result = handler(request.get("params") or {}, request)
    except CageError as e:
        return {"error": {"code": e.code, "message": e.message}}
    except Exception as e:  # the host gets a typed error; the traceback goes to stderr (the host log)
        traceback.print_exc(file=sys.stderr)
        return {"error": {"code": "internal", "message": "%s: %s" % (type(e).__name__, e)}}
    if isinstance(result, Body):
        return {"body": base64.b64encode(result.data).decode("ascii"), "contentType": result.content_type}
    return {"value": result}


def _read_exactly(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _write_frame(stream, obj):
    data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def serve(handlers, ready=None):
    """Pool mode: serves frames until stdin closes. ready() runs once before the worker says it is ready."""
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must not corrupt the frames
    if ready is not None:
        ready()
    _write_frame(stdout, {"type": "ready", "pid": os.getpid()})
    while True:
        header = _read_exactly(stdin, 4)
        if header is None:
            return
        (length,) = struct.unpack(">I", header)
        payload = _read_exactly(stdin, length)
        if payload is None:
            return
        frame = json.loads(payload)
        kind = frame.get("type")
        if kind == "heartbeat":
            _write_frame(stdout, {"type": "heartbeat"})
        elif kind == "request":
            answer = _answer(handlers, frame)
            if "error" in answer:
                error = answer["error"]
                _write_frame(stdout, {"type": "error", "id": frame.get("id"), "code": error["code"], "message": error["message"]})
            else:
                answer.update({"type": "answer", "id": frame.get("id")})
                _write_frame(stdout, answer)


def serve_once(handlers):
    """Per-request mode: reads one envelope from stdin, writes one answer to stdout, exits 0."""
    request = json.loads(sys.stdin.buffer.read() or b"{}")
    sys.stdout.write(json.dumps(_answer(handlers, request), separators=(",", ":")))
    sys.stdout.flush()

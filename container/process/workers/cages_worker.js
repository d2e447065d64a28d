// A worker for cages' pool mode, in one file, no npm dependencies (Node.js 18+).
//
// Frames on stdin/stdout: a 4-byte big-endian length and UTF-8 JSON with a "type". The host sends "request" and
// "heartbeat"; the worker sends "ready" once, then "answer" or "error" per request and "heartbeat" back. EOF on
// stdin means: exit. Log with console.error (stdout carries frames; console.log is redirected to stderr).
//
//   const cages = require('cages_worker');
//   cages.serve({ quote: (params, request) => ({ sku: params.sku }) });   // may return a Promise
//   throw new cages.CageError('bad_request', 'why')                       // a typed error
//
// The host puts this file on NODE_PATH, so a cage need not ship it.
'use strict';

class CageError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

class Body {
  constructor(data, contentType = 'application/octet-stream') {
    this.data = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
    this.contentType = contentType;
  }
}

function writeFrame(obj) {
  const data = Buffer.from(JSON.stringify(obj), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(data.length, 0);
  process.stdout.write(Buffer.concat([header, data]));
}

async function answer(handlers, request) {
  const handler = handlers[request.operation];
  if (!handler) {
    return { error: { code: 'not_found', message: `no operation '${request.operation}' (known: ${Object.keys(handlers).sort().join(', ')})` } };
  }
  try {
    const result = await handler(request.params || {}, request);
    if (result instanceof Body) {
      return { body: result.data.toString('base64'), contentType: result.contentType };
    }
    return { value: result === undefined ? null : result };
  } catch (e) {
    if (e instanceof CageError) {
      return { error: { code: e.code, message: e.message } };
    }
    console.error(e && e.stack ? e.stack : String(e));
    return { error: { code: 'internal', message: `${e && e.name ? e.name : 'Error'}: ${e && e.message ? e.message : e}` } };
  }
}

function serve(handlers) {
  console.log = console.error; // a stray console.log must not corrupt the frames
  let buffered = Buffer.alloc(0);
  let chain = Promise.resolve(); // one request at a time, in order
  process.stdin.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const frame = JSON.parse(buffered.subarray(4, 4 + length).toString('utf8'));
      buffered = buffered.subarray(4 + length);
      if (frame.type === 'heartbeat') {
        writeFrame({ type: 'heartbeat' });
      } else if (frame.type === 'request') {
        chain = chain.then(async () => {
          const a = await answer(handlers, frame);
          if (a.error) {
            writeFrame({ type: 'error', id: frame.id, code: a.error.code, message: a.error.message });
          } else {
            writeFrame(Object.assign({ type: 'answer', id: frame.id }, a));
          }
        });
      }
    }
  });
  process.stdin.on('end', () => chain.then(() => process.exit(0)));
  writeFrame({ type: 'ready', pid: process.pid });
}

function bodyOf(request) {
  return request.body ? Buffer.from(request.body, 'base64') : Buffer.alloc(0);
}

module.exports = { serve, CageError, Body, bodyOf };

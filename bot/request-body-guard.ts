// Every body this server accepts is JSON, uncompressed, at most 1 MB. restify's bodyParser
// enforces the size only on the bytes it reads, and that leaves two holes this guard closes
// before the body parser runs:
//  - a gzip body is limited by its compressed size: 200 KB of gzip expanded to 200 MB in
//    memory and was parsed (measured), so one request could exhaust the server;
//  - application/octet-stream or type-less bodies are not read at all, and reach the routes
//    as "no body", where they get a misleading answer.
// A declared Content-Length over the limit is refused here too, before any of it is read.
// A chunked body (no Content-Length) over the limit is left to bodyParser, which stops
// keeping bytes at the limit and answers 413 once the body has arrived.
import type { Next, Request, Response } from 'restify';

export const maxRequestBodyBytes = 1024 * 1024;

/** restify middleware: answers 413 or 415 in the API's error shape, or lets the request through. */
export function guardRequestBody(req: Request, res: Response, next: Next): void {
  const declaredLength = Number(req.header('content-length', ''));
  const chunked = req.isChunked();
  if (!chunked && !(declaredLength > 0)) return next();

  const encoding = req.header('content-encoding', 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    res.send(415, { code: 'unsupported_media_type', message: `Compressed request bodies (Content-Encoding: ${encoding}) are not accepted: send the JSON uncompressed.` });
    return next(false);
  }
  if (declaredLength > maxRequestBodyBytes) {
    res.send(413, {
      code: 'too_large',
      message: `The request body is ${declaredLength.toLocaleString('en-US')} bytes; at most ${maxRequestBodyBytes.toLocaleString('en-US')} (1 MB) are accepted.`,
    });
    return next(false);
  }
  // restify's getContentType() defaults to application/octet-stream when the header is missing.
  if (req.getContentType() !== 'application/json') {
    res.send(415, { code: 'unsupported_media_type', message: 'Send the body as JSON, with Content-Type: application/json.' });
    return next(false);
  }
  return next();
}

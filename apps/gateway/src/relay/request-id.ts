import { randomFillSync } from 'node:crypto';

// Request ids: 96 random bits each, drawn from a pool refilled 256 ids at a time (a randomBytes call per request
// was ~1-2 % of the gateway's CPU under load: one trip into OpenSSL per id).
const ID_BYTES = 12;
const idPool = Buffer.allocUnsafe(ID_BYTES * 256);
let idOffset = idPool.length;

/** `req_` + 24 hex digits: the response's x-request-id and the log's requestId. */
export function newRequestId(): string {
  if (idOffset >= idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = 'req_' + idPool.toString('hex', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

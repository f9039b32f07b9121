// bext's runtime module `bext/server`, for the Node + React server (react-server.mjs): the
// same names, thrown as errors that carry the status react-server.mjs answers with.

export class HttpSignal extends Error {
  constructor(status, location) {
    super(status === 404 ? "notFound()" : `redirect(${location})`);
    this.bextStatus = status;
    this.location = location;
  }
}

export function notFound() {
  throw new HttpSignal(404);
}

export function redirect(location) {
  throw new HttpSignal(307, location);
}

// The benchmark pages read neither; react-server.mjs renders without request context.
export function cookies() {
  return { get: () => undefined, getAll: () => [], has: () => false };
}

export function headers() {
  return new Headers();
}

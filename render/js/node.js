// Node's built-in modules as server code imports them (with or without `node:`), for
// registry.js's `builtinModule`, and the globals Node gives that code (`Buffer`; `process.env`
// and `process.cwd()` are app.js's). The linker leaves exactly these ids to the runtime
// (DEFAULT_BUILTINS in render/src/link/compiler.rs) and names every other Node built-in at
// compile time as one bext does not provide (render/src/link/node_builtins.rs).

function nodeBuiltin(id) {
  var name = id.slice(0, 5) === "node:" ? id.slice(5) : id;
  switch (name) {
    case "path":
    case "path/posix": return pathModule;
    case "fs": return fsModule;
    case "fs/promises": return fsPromises;
    case "buffer": return bufferModule;
    case "events": return EventEmitter;
    case "util": return utilModule;
    case "util/types": return utilTypes;
    case "crypto": return nodeCryptoModule;
    case "url": return urlModule;
    case "querystring": return querystringModule;
    case "string_decoder": return stringDecoderModule;
    case "os": return osModule;
  }
  return undefined;
}

// Called by app.js after the web platform globals exist.
function installNode(G) {
  if (typeof G.Buffer !== "function") G.Buffer = Buffer;
  utilModule.TextEncoder = G.TextEncoder;
  utilModule.TextDecoder = G.TextDecoder;
  nodeCryptoModule.webcrypto = G.crypto;
  nodeCryptoModule.subtle = G.crypto !== undefined ? G.crypto.subtle : undefined;
}

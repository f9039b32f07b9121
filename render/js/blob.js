// Blob, File and FormData, as the Fetch API and React's form actions use them: a Blob holds
// bytes (a Uint8Array) and a type; FormData is an ordered list of (name, string or File)
// entries. Installed in every engine (none that bext embeds has them). Bodies cross to
// Rust as text (fetch.js): a FormData body is sent as multipart/form-data with its files'
// bytes read as UTF-8.

function blobPartBytes(part) {
  if (part instanceof BlobImpl) return part._bytes;
  if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
  if (ArrayBuffer.isView(part)) {
    return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
  }
  return new TextEncoderImpl().encode(String(part));
}

function BlobImpl(parts, options) {
  if (!(this instanceof BlobImpl)) throw new TypeError("Failed to construct 'Blob': Please use the 'new' operator");
  var chunks = [];
  var size = 0;
  if (parts !== undefined) {
    if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    for (var part of parts) {
      var bytes = blobPartBytes(part);
      chunks.push(bytes);
      size += bytes.length;
    }
  }
  var all = new Uint8Array(size);
  var at = 0;
  for (var i = 0; i < chunks.length; i++) {
    all.set(chunks[i], at);
    at += chunks[i].length;
  }
  this._bytes = all;
  var type = options && options.type !== undefined ? String(options.type) : "";
  // The standard: a type with characters outside U+0020..U+007E becomes "", else lowercase.
  this._type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
}

BlobImpl.prototype = {
  constructor: BlobImpl,
  get size() { return this._bytes.length; },
  get type() { return this._type; },
  text: function () { return Promise.resolve(new TextDecoderImpl().decode(this._bytes)); },
  arrayBuffer: function () { return Promise.resolve(this._bytes.slice().buffer); },
  bytes: function () { return Promise.resolve(this._bytes.slice()); },
  slice: function (start, end, type) {
    var size = this._bytes.length;
    var from = relativeIndex(start, 0, size);
    var to = relativeIndex(end, size, size);
    var b = new BlobImpl([], { type: type === undefined ? "" : type });
    b._bytes = this._bytes.slice(from, Math.max(from, to));
    return b;
  },
};
Object.defineProperty(BlobImpl.prototype, Symbol.toStringTag, { value: "Blob" });

function relativeIndex(value, fallback, size) {
  if (value === undefined) return fallback;
  var n = Math.trunc(Number(value)) || 0;
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

function FileImpl(parts, name, options) {
  if (!(this instanceof FileImpl)) throw new TypeError("Failed to construct 'File': Please use the 'new' operator");
  if (arguments.length < 2) {
    throw new TypeError("Failed to construct 'File': 2 arguments required, but only " + arguments.length + " present.");
  }
  BlobImpl.call(this, parts, options);
  this._name = String(name);
  this._lastModified = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
}
FileImpl.prototype = Object.create(BlobImpl.prototype, {
  constructor: { value: FileImpl },
  name: { get: function () { return this._name; } },
  lastModified: { get: function () { return this._lastModified; } },
});
Object.defineProperty(FileImpl.prototype, Symbol.toStringTag, { value: "File" });

// A FormData value: strings as strings, Blobs as Files (named "blob" unless named).
function formValue(value, filename) {
  if (value instanceof BlobImpl) {
    if (value instanceof FileImpl && filename === undefined) return value;
    var file = new FileImpl([], filename !== undefined ? filename : value instanceof FileImpl ? value.name : "blob", {
      type: value.type,
      lastModified: value instanceof FileImpl ? value.lastModified : undefined,
    });
    file._bytes = value._bytes;
    return file;
  }
  return String(value);
}

function FormDataImpl(form) {
  if (!(this instanceof FormDataImpl)) throw new TypeError("Failed to construct 'FormData': Please use the 'new' operator");
  if (form !== undefined) throw new TypeError("Failed to construct 'FormData': there is no HTML form element on the server");
  this._entries = [];
}

FormDataImpl.prototype = {
  constructor: FormDataImpl,
  append: function (name, value, filename) {
    this._entries.push([String(name), formValue(value, filename)]);
  },
  set: function (name, value, filename) {
    name = String(name);
    var entry = [name, formValue(value, filename)];
    var kept = [];
    var placed = false;
    for (var i = 0; i < this._entries.length; i++) {
      if (this._entries[i][0] !== name) kept.push(this._entries[i]);
      else if (!placed) {
        kept.push(entry);
        placed = true;
      }
    }
    if (!placed) kept.push(entry);
    this._entries = kept;
  },
  get: function (name) {
    name = String(name);
    for (var i = 0; i < this._entries.length; i++) if (this._entries[i][0] === name) return this._entries[i][1];
    return null;
  },
  getAll: function (name) {
    name = String(name);
    var out = [];
    for (var i = 0; i < this._entries.length; i++) if (this._entries[i][0] === name) out.push(this._entries[i][1]);
    return out;
  },
  has: function (name) {
    return this.get(name) !== null;
  },
  delete: function (name) {
    name = String(name);
    this._entries = this._entries.filter(function (entry) { return entry[0] !== name; });
  },
  forEach: function (callback, thisArg) {
    for (var i = 0; i < this._entries.length; i++) {
      callback.call(thisArg, this._entries[i][1], this._entries[i][0], this);
    }
  },
  entries: function () { return this._entries.map(function (e) { return [e[0], e[1]]; })[Symbol.iterator](); },
  keys: function () { return this._entries.map(function (e) { return e[0]; })[Symbol.iterator](); },
  values: function () { return this._entries.map(function (e) { return e[1]; })[Symbol.iterator](); },
};
FormDataImpl.prototype[Symbol.iterator] = FormDataImpl.prototype.entries;
Object.defineProperty(FormDataImpl.prototype, Symbol.toStringTag, { value: "FormData" });

// The body of a FormData as multipart/form-data text, and its content type.
var multipartCount = 0;
function multipartBody(form) {
  multipartCount += 1;
  var boundary = "----bextFormBoundary" + Date.now().toString(36) + multipartCount.toString(36);
  var escapeName = function (name) {
    return name.replace(/\r\n|\r|\n/g, "\r\n").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
  };
  var text = "";
  for (var i = 0; i < form._entries.length; i++) {
    var name = form._entries[i][0];
    var value = form._entries[i][1];
    text += "--" + boundary + "\r\n" + 'Content-Disposition: form-data; name="' + escapeName(name) + '"';
    if (value instanceof FileImpl) {
      text += '; filename="' + escapeName(value.name) + '"\r\nContent-Type: ' + (value.type || "application/octet-stream") + "\r\n\r\n";
      text += new TextDecoderImpl().decode(value._bytes) + "\r\n";
    } else {
      text += "\r\n\r\n" + value.replace(/\r\n|\r|\n/g, "\r\n") + "\r\n";
    }
  }
  text += "--" + boundary + "--\r\n";
  return { text: text, type: "multipart/form-data; boundary=" + boundary };
}

// A multipart/form-data body (as text) back into FormData; null when it is not one.
function parseMultipart(text, contentType) {
  var match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (match === null) return null;
  var delimiter = "--" + (match[1] || match[2]).trim();
  var form = new FormDataImpl();
  var parts = text.split(delimiter);
  for (var i = 1; i < parts.length; i++) {
    var part = parts[i];
    if (part.indexOf("--") === 0) break;
    part = part.replace(/^\r\n/, "").replace(/\r\n$/, "");
    var split = part.indexOf("\r\n\r\n");
    if (split < 0) return null;
    var head = part.slice(0, split);
    var body = part.slice(split + 4);
    var name = /name="([^"]*)"/i.exec(head);
    if (name === null) return null;
    var filename = /filename="([^"]*)"/i.exec(head);
    if (filename !== null) {
      var type = /content-type:\s*([^\r\n]*)/i.exec(head);
      form.append(name[1], new FileImpl([body], filename[1], { type: type ? type[1] : "" }));
    } else {
      form.append(name[1], body);
    }
  }
  return form;
}

// Always ours (no engine bext embeds has them): fetch.js reads their bytes.
function installBlob(G) {
  G.Blob = BlobImpl;
  G.File = FileImpl;
  G.FormData = FormDataImpl;
}

// `fs` and `fs/promises` (with and without `node:`), read-only, over the snapshot of the app's
// files that render/src/files.rs puts in the bundle (`__bext_files`, a function returning
// { "relative/path": entry }, called on the first fs call). An engine has no way to reach the
// disk during a render, and a read that blocked would stall every request of the shard; the
// snapshot makes a read cost a table lookup (text files are returned as the string the bundle
// holds). A file changed after start is seen after a reload (SIGHUP, or any change under
// `bext dev`).
//
// Entries: `{d: 1, m}` a directory, `{s, m, t}` a text file, `{s, m, b}` a binary one
// (base64), and `{s?, m, x, d?}` one that exists but was left out of the snapshot, `x` saying
// why (a limit, or a directory such as node_modules that is never snapshotted). `m` is the
// file's real mtime in milliseconds. Paths resolve against process.cwd() (the app's root);
// a path outside the app throws, and so does every function that would write.

var FS_READ_ONLY_HINT = "bext's fs is read-only: the app's files are a snapshot taken at start (write to a database or an external service instead)";
var FS_CONSTANTS = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, COPYFILE_EXCL: 1 };
var FS_ERRNO = { ENOENT: -2, EISDIR: -21, ENOTDIR: -20, EACCES: -13, EROFS: -30 };
var FS_ERROR_TEXT = {
  ENOENT: "no such file or directory",
  EISDIR: "illegal operation on a directory",
  ENOTDIR: "not a directory",
  EACCES: "permission denied",
  EROFS: "read-only file system"
};

var fsTable = null; // relative path -> entry ("" is the app's root)
var fsChildren = null; // relative directory path -> sorted names

function fsEntries() {
  if (fsTable !== null) return fsTable;
  var source = globalThis.__bext_files;
  var table = typeof source === "function" ? source() : null;
  try {
    delete globalThis.__bext_files;
  } catch (e) {
    // not configurable: leave it
  }
  fsTable = table !== null && typeof table === "object" ? table : Object.create(null);
  if (fsTable[""] === undefined) fsTable[""] = { d: 1, m: 0 };
  fsChildren = Object.create(null);
  Object.keys(fsTable).forEach(function (rel) {
    if (rel === "") return;
    var slash = rel.lastIndexOf("/");
    var parent = slash < 0 ? "" : rel.slice(0, slash);
    (fsChildren[parent] || (fsChildren[parent] = [])).push(rel.slice(slash + 1));
  });
  Object.keys(fsChildren).forEach(function (dir) {
    fsChildren[dir].sort();
  });
  return fsTable;
}

function fsError(code, syscall, path) {
  var e = new Error(code + ": " + FS_ERROR_TEXT[code] + ", " + syscall + (path !== undefined ? " '" + path + "'" : ""));
  e.errno = FS_ERRNO[code];
  e.code = code;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}

function fsPathArg(p) {
  if (typeof p === "string") return p;
  if (p instanceof Uint8Array) return utf8Decode(p, false);
  if (p !== null && typeof p === "object" && typeof p.href === "string" && p.protocol === "file:") return fileURLToPath(p);
  throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "path" argument must be of type string or an instance of Buffer or URL.' + receivedText(p));
}

// { given, abs, rel } for `p` (errors name it as given, as Node's do), or throws when it is
// outside the app.
function fsLocate(p, syscall) {
  var given = fsPathArg(p);
  var abs = pathModule.resolve(given);
  var rel = pathModule.relative(appRoot, abs);
  if (rel === ".." || rel.slice(0, 3) === "../" || pathModule.isAbsolute(rel)) {
    var e = new Error("bext's fs reads only files inside the app (" + appRoot + "): " + syscall + " '" + abs + "' is outside it");
    e.errno = FS_ERRNO.EACCES;
    e.code = "EACCES";
    e.syscall = syscall;
    e.path = abs;
    throw e;
  }
  return { given: given, abs: abs, rel: rel };
}

// The entry at `where`, or throws ENOENT / ENOTDIR (or the reason it was left out).
function fsEntry(where, syscall) {
  var table = fsEntries();
  var entry = table[where.rel];
  if (entry !== undefined) return entry;
  var parts = where.rel.split("/");
  for (var i = parts.length - 1; i > 0; i--) {
    var above = table[parts.slice(0, i).join("/")];
    if (above === undefined) continue;
    if (above.x !== undefined) throw fsLeftOut(where, syscall, above.x);
    if (above.d !== 1) throw fsError("ENOTDIR", syscall, where.given);
    break;
  }
  throw fsError("ENOENT", syscall, where.given);
}

function fsLeftOut(where, syscall, why) {
  var e = new Error("ENOENT: '" + where.abs + "' is not in bext's snapshot of the app's files (" + why + "), " + syscall + " '" + where.given + "'");
  e.errno = FS_ERRNO.ENOENT;
  e.code = "ENOENT";
  e.syscall = syscall;
  e.path = where.given;
  return e;
}

function fsEncodingOf(options) {
  if (typeof options === "string") return options;
  if (options !== null && typeof options === "object" && options.encoding !== undefined && options.encoding !== null) return options.encoding;
  return undefined;
}

function readFileSync(p, options) {
  if (typeof p === "number") throw fsNotProvided("readFileSync of a file descriptor")();
  var where = fsLocate(p, "open");
  var entry = fsEntry(where, "open");
  if (entry.d === 1) throw fsError("EISDIR", "read");
  if (entry.x !== undefined) throw fsLeftOut(where, "open", entry.x);
  var enc = fsEncodingOf(options);
  // A text file read as text is the string the snapshot holds: no copy, no decoding.
  if (entry.t !== undefined && enc !== undefined && bufferEncoding(enc) === "utf8") return entry.t;
  // Bytes are decoded once per engine and copied per read (callers may write into them).
  if (entry.bytes === undefined) {
    Object.defineProperty(entry, "bytes", { value: entry.t !== undefined ? utf8Encode(entry.t) : base64Bytes(entry.b) });
  }
  var buf = bufferOf(entry.bytes.slice());
  return enc === undefined || enc === "buffer" ? buf : buf.toString(enc);
}

function Dirent(name, parentPath, entry) {
  this.name = name;
  this.parentPath = parentPath;
  this.path = parentPath;
  this._dir = entry.d === 1;
}
Dirent.prototype.isFile = function () { return !this._dir; };
Dirent.prototype.isDirectory = function () { return this._dir; };
Dirent.prototype.isSymbolicLink = function () { return false; };
Dirent.prototype.isBlockDevice = Dirent.prototype.isCharacterDevice = Dirent.prototype.isFIFO = Dirent.prototype.isSocket = function () { return false; };

function readdirSync(p, options) {
  var where = fsLocate(p, "scandir");
  var entry = fsEntry(where, "scandir");
  if (entry.d !== 1) throw fsError("ENOTDIR", "scandir", where.given);
  if (entry.x !== undefined) throw fsLeftOut(where, "scandir", entry.x);
  var withTypes = options !== null && typeof options === "object" && options.withFileTypes === true;
  var recursive = options !== null && typeof options === "object" && options.recursive === true;
  var out = [];
  (function walk(rel, prefix, parent) {
    var names = fsChildren[rel] || [];
    for (var i = 0; i < names.length; i++) {
      var childRel = rel === "" ? names[i] : rel + "/" + names[i];
      var child = fsTable[childRel];
      out.push(withTypes ? new Dirent(names[i], parent, child) : prefix + names[i]);
      if (recursive && child.d === 1 && child.x === undefined) walk(childRel, prefix + names[i] + "/", pathModule.join(parent, names[i]));
    }
  })(where.rel, "", where.given);
  var enc = fsEncodingOf(options);
  if (enc === "buffer" && !withTypes) return out.map(function (name) { return Buffer.from(name); });
  return out;
}

function Stats(entry) {
  var dir = entry.d === 1;
  var size = dir ? 4096 : entry.s || 0;
  var ms = entry.m || 0;
  this.dev = 0;
  this.mode = dir ? 16877 : 33188; // 0o40755, 0o100644
  this.nlink = 1;
  this.uid = 0;
  this.gid = 0;
  this.rdev = 0;
  this.blksize = 4096;
  this.ino = 0;
  this.size = size;
  this.blocks = Math.ceil(size / 512);
  this.atimeMs = ms;
  this.mtimeMs = ms;
  this.ctimeMs = ms;
  this.birthtimeMs = ms;
  this.atime = new Date(ms);
  this.mtime = new Date(ms);
  this.ctime = new Date(ms);
  this.birthtime = new Date(ms);
  Object.defineProperty(this, "_dir", { value: dir });
}
Stats.prototype.isFile = function () { return !this._dir; };
Stats.prototype.isDirectory = function () { return this._dir; };
Stats.prototype.isSymbolicLink = function () { return false; };
Stats.prototype.isBlockDevice = Stats.prototype.isCharacterDevice = Stats.prototype.isFIFO = Stats.prototype.isSocket = function () { return false; };

function statWith(syscall) {
  return function (p, options) {
    var where = fsLocate(p, syscall);
    var entry;
    try {
      entry = fsEntry(where, syscall);
    } catch (e) {
      if (options !== null && typeof options === "object" && options.throwIfNoEntry === false && e.code === "ENOENT") return undefined;
      throw e;
    }
    return new Stats(entry);
  };
}

var statSync = statWith("stat");
var lstatSync = statWith("lstat");

function existsSync(p) {
  try {
    fsEntry(fsLocate(p, "access"), "access");
    return true;
  } catch (e) {
    return false;
  }
}

function accessSync(p, mode) {
  var where = fsLocate(p, "access");
  fsEntry(where, "access");
  if (typeof mode === "number" && (mode & FS_CONSTANTS.W_OK) !== 0) throw fsError("EROFS", "access", where.given);
}

function realpathSync(p) {
  var where = fsLocate(p, "lstat");
  fsEntry(where, "lstat");
  return where.abs;
}
realpathSync.native = realpathSync;

function fsNotProvided(name) {
  return function () {
    throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
      "fs." + name + " is not available in bext: server code can read the app's files with readFile, readdir, stat, access and exists (sync, callback or promise forms)");
  };
}

function fsReadOnly(name) {
  return function (p) {
    var e = new Error("fs." + name + (typeof p === "string" ? "('" + p + "')" : "") + ": " + FS_READ_ONLY_HINT);
    e.errno = FS_ERRNO.EROFS;
    e.code = "EROFS";
    e.syscall = name;
    throw e;
  };
}

// Callback form: the result (or error) is passed to the last argument, later, as in Node.
function fsCallback(sync) {
  return function () {
    var args = Array.prototype.slice.call(arguments);
    var callback = args.pop();
    if (typeof callback !== "function") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "cb" argument must be of type function.' + receivedText(callback));
    }
    var result, error = null;
    try {
      result = sync.apply(null, args);
    } catch (e) {
      error = e;
    }
    Promise.resolve().then(function () {
      if (error !== null) callback(error);
      else callback(null, result);
    });
  };
}

function fsPromise(sync) {
  return function () {
    var args = arguments;
    return new Promise(function (resolve) {
      resolve(sync.apply(null, args));
    });
  };
}

var FS_WRITERS = ["writeFile", "appendFile", "mkdir", "mkdtemp", "rm", "rmdir", "unlink", "rename", "copyFile", "cp", "symlink",
  "link", "chmod", "chown", "lchown", "utimes", "lutimes", "truncate"];
var FS_UNAVAILABLE = ["open", "close", "read", "write", "opendir", "watch", "readv", "writev", "fstat", "fsync", "ftruncate"];

var fsPromises = {
  readFile: fsPromise(readFileSync),
  readdir: fsPromise(readdirSync),
  stat: fsPromise(statSync),
  lstat: fsPromise(lstatSync),
  access: fsPromise(accessSync),
  realpath: fsPromise(realpathSync),
  constants: FS_CONSTANTS
};

var fsModule = {
  readFileSync: readFileSync,
  readdirSync: readdirSync,
  statSync: statSync,
  lstatSync: lstatSync,
  existsSync: existsSync,
  accessSync: accessSync,
  realpathSync: realpathSync,
  readFile: fsCallback(readFileSync),
  readdir: fsCallback(readdirSync),
  stat: fsCallback(statSync),
  lstat: fsCallback(lstatSync),
  access: fsCallback(accessSync),
  realpath: fsCallback(realpathSync),
  exists: function (p, callback) {
    var found = existsSync(p);
    Promise.resolve().then(function () { callback(found); });
  },
  createReadStream: fsNotProvided("createReadStream"),
  createWriteStream: fsReadOnly("createWriteStream"),
  promises: fsPromises,
  constants: FS_CONSTANTS,
  Stats: Stats,
  Dirent: Dirent
};
for (var fsKey in FS_CONSTANTS) fsModule[fsKey] = FS_CONSTANTS[fsKey];
FS_WRITERS.forEach(function (name) {
  fsModule[name + "Sync"] = fsReadOnly(name + "Sync");
  fsModule[name] = fsReadOnly(name);
  fsPromises[name] = fsPromise(fsReadOnly(name));
});
FS_UNAVAILABLE.forEach(function (name) {
  fsModule[name + "Sync"] = fsNotProvided(name + "Sync");
  fsModule[name] = fsNotProvided(name);
  if (name === "open" || name === "opendir" || name === "watch") fsPromises[name] = fsPromise(fsNotProvided(name));
});

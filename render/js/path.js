// `path` (and `node:path`, `path/posix`): Node's POSIX path functions, for server code that
// builds file names and URLs with them. `process.cwd()` is the app's root (app.js), as it is
// for `next start` run there; `path.win32` is not provided.

function assertPath(p, name) {
  if (typeof p !== "string") {
    throw new TypeError('The "' + (name || "path") + '" argument must be of type string. Received ' + (p === null ? "null" : typeof p));
  }
}

// `.` and `..` segments resolved; `allowAboveRoot` keeps leading `..` of a relative path.
function normalizeSegments(path, allowAboveRoot) {
  var res = "";
  var lastSegmentLength = 0;
  var lastSlash = -1;
  var dots = 0;
  var code = 0;
  for (var i = 0; i <= path.length; ++i) {
    if (i < path.length) code = path.charCodeAt(i);
    else if (code === 47) break;
    else code = 47;
    if (code === 47) {
      if (lastSlash === i - 1 || dots === 1) {
        // a repeated slash or "."
      } else if (dots === 2) {
        if (res.length < 2 || lastSegmentLength !== 2 || res.charCodeAt(res.length - 1) !== 46 || res.charCodeAt(res.length - 2) !== 46) {
          if (res.length > 2) {
            var lastSlashIndex = res.lastIndexOf("/");
            if (lastSlashIndex === -1) {
              res = "";
              lastSegmentLength = 0;
            } else {
              res = res.slice(0, lastSlashIndex);
              lastSegmentLength = res.length - 1 - res.lastIndexOf("/");
            }
            lastSlash = i;
            dots = 0;
            continue;
          } else if (res.length !== 0) {
            res = "";
            lastSegmentLength = 0;
            lastSlash = i;
            dots = 0;
            continue;
          }
        }
        if (allowAboveRoot) {
          res += res.length > 0 ? "/.." : "..";
          lastSegmentLength = 2;
        }
      } else {
        if (res.length > 0) res += "/" + path.slice(lastSlash + 1, i);
        else res = path.slice(lastSlash + 1, i);
        lastSegmentLength = i - lastSlash - 1;
      }
      lastSlash = i;
      dots = 0;
    } else if (code === 46 && dots !== -1) {
      ++dots;
    } else {
      dots = -1;
    }
  }
  return res;
}

function pathResolve() {
  var resolved = "";
  var absolute = false;
  for (var i = arguments.length - 1; i >= -1 && !absolute; i--) {
    var p = i >= 0 ? arguments[i] : processCwd();
    assertPath(p, "paths[" + i + "]");
    if (p.length === 0) continue;
    resolved = p + "/" + resolved;
    absolute = p.charCodeAt(0) === 47;
  }
  resolved = normalizeSegments(resolved, !absolute);
  if (absolute) return "/" + resolved;
  return resolved.length > 0 ? resolved : ".";
}

function pathNormalize(p) {
  assertPath(p);
  if (p.length === 0) return ".";
  var absolute = p.charCodeAt(0) === 47;
  var trailing = p.charCodeAt(p.length - 1) === 47;
  p = normalizeSegments(p, !absolute);
  if (p.length === 0) {
    if (absolute) return "/";
    return trailing ? "./" : ".";
  }
  if (trailing) p += "/";
  return absolute ? "/" + p : p;
}

function pathJoin() {
  if (arguments.length === 0) return ".";
  var joined;
  for (var i = 0; i < arguments.length; ++i) {
    var arg = arguments[i];
    assertPath(arg);
    if (arg.length > 0) joined = joined === undefined ? arg : joined + "/" + arg;
  }
  return joined === undefined ? "." : pathNormalize(joined);
}

function pathRelative(from, to) {
  assertPath(from, "from");
  assertPath(to, "to");
  if (from === to) return "";
  from = pathResolve(from);
  to = pathResolve(to);
  if (from === to) return "";
  var fromStart = 1;
  var fromEnd = from.length;
  var fromLen = fromEnd - fromStart;
  var toStart = 1;
  var toLen = to.length - toStart;
  var length = fromLen < toLen ? fromLen : toLen;
  var lastCommonSep = -1;
  var i = 0;
  for (; i < length; i++) {
    var fromCode = from.charCodeAt(fromStart + i);
    if (fromCode !== to.charCodeAt(toStart + i)) break;
    else if (fromCode === 47) lastCommonSep = i;
  }
  if (i === length) {
    if (toLen > length) {
      if (to.charCodeAt(toStart + i) === 47) return to.slice(toStart + i + 1);
      if (i === 0) return to.slice(toStart + i);
    } else if (fromLen > length) {
      if (from.charCodeAt(fromStart + i) === 47) lastCommonSep = i;
      else if (i === 0) lastCommonSep = 0;
    }
  }
  var out = "";
  for (i = fromStart + lastCommonSep + 1; i <= fromEnd; ++i) {
    if (i === fromEnd || from.charCodeAt(i) === 47) out += out.length === 0 ? ".." : "/..";
  }
  return out + to.slice(toStart + lastCommonSep);
}

function pathDirname(p) {
  assertPath(p);
  if (p.length === 0) return ".";
  var hasRoot = p.charCodeAt(0) === 47;
  var end = -1;
  var matchedSlash = true;
  for (var i = p.length - 1; i >= 1; --i) {
    if (p.charCodeAt(i) === 47) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else {
      matchedSlash = false;
    }
  }
  if (end === -1) return hasRoot ? "/" : ".";
  if (hasRoot && end === 1) return "//";
  return p.slice(0, end);
}

function pathBasename(p, suffix) {
  if (suffix !== undefined) assertPath(suffix, "suffix");
  assertPath(p);
  var start = 0;
  var end = -1;
  var matchedSlash = true;
  var i;
  if (suffix !== undefined && suffix.length > 0 && suffix.length <= p.length) {
    if (suffix === p) return "";
    var extIdx = suffix.length - 1;
    var firstNonSlashEnd = -1;
    for (i = p.length - 1; i >= 0; --i) {
      var code = p.charCodeAt(i);
      if (code === 47) {
        if (!matchedSlash) {
          start = i + 1;
          break;
        }
      } else {
        if (firstNonSlashEnd === -1) {
          matchedSlash = false;
          firstNonSlashEnd = i + 1;
        }
        if (extIdx >= 0) {
          if (code === suffix.charCodeAt(extIdx)) {
            if (--extIdx === -1) end = i;
          } else {
            extIdx = -1;
            end = firstNonSlashEnd;
          }
        }
      }
    }
    if (start === end) end = firstNonSlashEnd;
    else if (end === -1) end = p.length;
    return p.slice(start, end);
  }
  for (i = p.length - 1; i >= 0; --i) {
    if (p.charCodeAt(i) === 47) {
      if (!matchedSlash) {
        start = i + 1;
        break;
      }
    } else if (end === -1) {
      matchedSlash = false;
      end = i + 1;
    }
  }
  if (end === -1) return "";
  return p.slice(start, end);
}

function pathExtname(p) {
  assertPath(p);
  var startDot = -1;
  var startPart = 0;
  var end = -1;
  var matchedSlash = true;
  var preDotState = 0;
  for (var i = p.length - 1; i >= 0; --i) {
    var code = p.charCodeAt(i);
    if (code === 47) {
      if (!matchedSlash) {
        startPart = i + 1;
        break;
      }
      continue;
    }
    if (end === -1) {
      matchedSlash = false;
      end = i + 1;
    }
    if (code === 46) {
      if (startDot === -1) startDot = i;
      else if (preDotState !== 1) preDotState = 1;
    } else if (startDot !== -1) {
      preDotState = -1;
    }
  }
  if (startDot === -1 || end === -1 || preDotState === 0 || (preDotState === 1 && startDot === end - 1 && startDot === startPart + 1)) {
    return "";
  }
  return p.slice(startDot, end);
}

function pathParse(p) {
  assertPath(p);
  var root = p.charCodeAt(0) === 47 ? "/" : "";
  var base = pathBasename(p);
  var ext = pathExtname(p);
  var dir = pathDirname(p);
  if (p.length === 0) return { root: "", dir: "", base: "", ext: "", name: "" };
  if (dir === "." && p.indexOf("/") === -1) dir = "";
  if (base === "" && p === "/") dir = "/";
  return { root: root, dir: dir, base: base, ext: ext, name: ext.length > 0 ? base.slice(0, base.length - ext.length) : base };
}

function pathFormat(o) {
  if (o === null || typeof o !== "object") {
    throw new TypeError('The "pathObject" argument must be of type object. Received ' + (o === null ? "null" : typeof o));
  }
  var dir = o.dir || o.root;
  var base = o.base || (o.name || "") + (o.ext ? (o.ext.charAt(0) === "." ? "" : ".") + o.ext : "");
  if (!dir) return base;
  return dir === o.root ? dir + base : dir + "/" + base;
}

var pathModule = {
  sep: "/",
  delimiter: ":",
  resolve: pathResolve,
  normalize: pathNormalize,
  join: pathJoin,
  relative: pathRelative,
  dirname: pathDirname,
  basename: pathBasename,
  extname: pathExtname,
  parse: pathParse,
  format: pathFormat,
  isAbsolute: function (p) {
    assertPath(p);
    return p.length > 0 && p.charCodeAt(0) === 47;
  },
  toNamespacedPath: function (p) {
    return p;
  },
};
pathModule.posix = pathModule;

var appRoot = "/";
function processCwd() {
  return appRoot;
}

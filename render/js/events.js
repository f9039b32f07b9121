// `events` / `node:events`: Node's EventEmitter (the module is the class, as in Node, with
// `EventEmitter`, `once`, `listenerCount` and `defaultMaxListeners` on it). Listeners run
// synchronously in the order added; an `'error'` with no listener throws; `events.once`
// returns a promise that rejects on `'error'`.

var EVENTS_MAX_LISTENERS_DEFAULT = 10; // Node's EventEmitter.defaultMaxListeners

function EventEmitter(options) {
  EventEmitter.init.call(this, options);
}

EventEmitter.init = function () {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = Object.create(null);
    this._eventsCount = 0;
  }
  this._maxListeners = this._maxListeners || undefined;
};

EventEmitter.prototype._events = undefined;
EventEmitter.prototype._eventsCount = 0;
EventEmitter.prototype._maxListeners = undefined;

function eventsOf(emitter) {
  if (emitter._events === undefined) {
    emitter._events = Object.create(null);
    emitter._eventsCount = 0;
  }
  return emitter._events;
}

function checkListener(listener) {
  if (typeof listener !== "function") {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "listener" argument must be of type function.' + receivedText(listener));
  }
}

function addListener(emitter, type, listener, prepend) {
  checkListener(listener);
  var events = eventsOf(emitter);
  if (events.newListener !== undefined) {
    emitter.emit("newListener", type, listener.listener ? listener.listener : listener);
    events = eventsOf(emitter);
  }
  var list = events[type];
  if (list === undefined) {
    events[type] = [listener];
    emitter._eventsCount++;
  } else if (prepend) {
    list.unshift(listener);
  } else {
    list.push(listener);
  }
  return emitter;
}

EventEmitter.prototype.on = EventEmitter.prototype.addListener = function (type, listener) {
  return addListener(this, type, listener, false);
};

EventEmitter.prototype.prependListener = function (type, listener) {
  return addListener(this, type, listener, true);
};

function onceWrapper(emitter, type, listener) {
  var fired = false;
  function wrapped() {
    if (fired) return undefined;
    fired = true;
    emitter.removeListener(type, wrapped);
    return listener.apply(emitter, arguments);
  }
  wrapped.listener = listener;
  return wrapped;
}

EventEmitter.prototype.once = function (type, listener) {
  checkListener(listener);
  return this.on(type, onceWrapper(this, type, listener));
};

EventEmitter.prototype.prependOnceListener = function (type, listener) {
  checkListener(listener);
  return this.prependListener(type, onceWrapper(this, type, listener));
};

EventEmitter.prototype.off = EventEmitter.prototype.removeListener = function (type, listener) {
  checkListener(listener);
  var events = eventsOf(this);
  var list = events[type];
  if (list === undefined) return this;
  for (var i = list.length - 1; i >= 0; i--) {
    if (list[i] === listener || list[i].listener === listener) {
      list.splice(i, 1);
      if (list.length === 0) {
        delete events[type];
        this._eventsCount--;
      }
      if (events.removeListener !== undefined) this.emit("removeListener", type, listener);
      break;
    }
  }
  return this;
};

EventEmitter.prototype.removeAllListeners = function (type) {
  var events = eventsOf(this);
  if (arguments.length === 0) {
    var self = this;
    Object.keys(events).forEach(function (name) {
      if (name !== "removeListener") self.removeAllListeners(name);
    });
    this.removeAllListeners("removeListener");
    this._events = Object.create(null);
    this._eventsCount = 0;
    return this;
  }
  var list = events[type];
  if (list !== undefined) {
    for (var i = list.length - 1; i >= 0; i--) this.removeListener(type, list[i]);
  }
  return this;
};

EventEmitter.prototype.emit = function (type) {
  var events = eventsOf(this);
  var list = events[type];
  var args = Array.prototype.slice.call(arguments, 1);
  if (list === undefined) {
    if (type !== "error") return false;
    var er = args[0];
    if (er instanceof Error) throw er;
    var err = nodeError(Error, "ERR_UNHANDLED_ERROR", "Unhandled error. (" + inspect(er) + ")");
    err.context = er;
    throw err;
  }
  var snapshot = list.slice();
  for (var i = 0; i < snapshot.length; i++) snapshot[i].apply(this, args);
  return true;
};

EventEmitter.prototype.listeners = function (type) {
  var list = eventsOf(this)[type];
  return list === undefined ? [] : list.map(function (l) { return l.listener || l; });
};

EventEmitter.prototype.rawListeners = function (type) {
  var list = eventsOf(this)[type];
  return list === undefined ? [] : list.slice();
};

EventEmitter.prototype.listenerCount = function (type, listener) {
  var list = eventsOf(this)[type];
  if (list === undefined) return 0;
  if (listener === undefined) return list.length;
  return list.filter(function (l) { return l === listener || l.listener === listener; }).length;
};

EventEmitter.prototype.eventNames = function () {
  var events = eventsOf(this);
  return Reflect.ownKeys(events);
};

EventEmitter.prototype.setMaxListeners = function (n) {
  this._maxListeners = n;
  return this;
};

EventEmitter.prototype.getMaxListeners = function () {
  return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners;
};

EventEmitter.defaultMaxListeners = EVENTS_MAX_LISTENERS_DEFAULT;
EventEmitter.EventEmitter = EventEmitter;
EventEmitter.errorMonitor = typeof Symbol === "function" ? Symbol("events.errorMonitor") : "errorMonitor";
EventEmitter.captureRejections = false;

EventEmitter.listenerCount = function (emitter, type) {
  return emitter.listenerCount(type);
};

EventEmitter.once = function (emitter, type) {
  return new Promise(function (resolve, reject) {
    function onError(err) {
      emitter.removeListener(type, onEvent);
      reject(err);
    }
    function onEvent() {
      if (type !== "error") emitter.removeListener("error", onError);
      resolve(Array.prototype.slice.call(arguments));
    }
    emitter.once(type, onEvent);
    if (type !== "error") emitter.once("error", onError);
  });
};

EventEmitter.getEventListeners = function (emitter, type) {
  return emitter.listeners(type);
};

EventEmitter.setMaxListeners = function (n) {
  EventEmitter.defaultMaxListeners = n;
};

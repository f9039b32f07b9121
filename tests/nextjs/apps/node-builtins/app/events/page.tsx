import EventEmitter, { once } from "node:events";
import events from "events";
import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

class Store extends EventEmitter {
  items: string[] = [];
  add(item: string) {
    this.items.push(item);
    this.emit("added", item, this.items.length);
  }
}

export default async function EventsPage() {
  const e = new EventEmitter();
  setTimeout(() => e.emit("ready", 42), 0);
  const [value] = await once(e, "ready");
  return (
    <Cases
      title="events"
      cases={[
        ["once resolved with", () => value],
        ["same class", () => events === EventEmitter && events.EventEmitter === EventEmitter],
        ["on, once, prepend", () => {
          const em = new EventEmitter();
          const seen: string[] = [];
          em.on("x", (n) => seen.push(`on ${n}`));
          em.once("x", (n) => seen.push(`once ${n}`));
          em.prependListener("x", (n) => seen.push(`first ${n}`));
          em.emit("x", 1);
          em.emit("x", 2);
          return seen;
        }],
        ["subclass", () => {
          const store = new Store();
          const log: string[] = [];
          store.on("added", (item, count) => log.push(`${item}#${count}`));
          store.add("a");
          store.add("b");
          return log;
        }],
        ["off and counts", () => {
          const em = new EventEmitter();
          const f = () => {};
          em.on("a", f);
          em.on("a", () => {});
          em.on("b", f);
          em.off("a", f);
          return [em.listenerCount("a"), em.eventNames(), em.emit("c"), em.emit("b")];
        }],
        ["error without listener", () => new EventEmitter().emit("error", new Error("boom"))],
        ["error that is not an Error", () => new EventEmitter().emit("error", "plain")],
        ["removeAllListeners", () => {
          const em = new EventEmitter();
          em.on("a", () => {});
          em.on("b", () => {});
          em.removeAllListeners();
          return em.eventNames().length;
        }],
      ]}
    />
  );
}

export let counter = 0;

export function increment() {
  counter += 1;
}

export function thisProbe() {
  return this;
}

export default "counter default";

export function Hello({ name }: { name: string }) {
  return <p>Hello from a named export, {name}</p>;
}

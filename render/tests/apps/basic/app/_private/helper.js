export function helper() {
  return "private helper";
}

export const title = "Keep pages small";
export default function tip() {
  return "Split a page into server components.";
}

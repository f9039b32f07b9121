export const title = "Cache on purpose";
export default function tip() {
  return "Export revalidate where data changes.";
}

export default function NotFound() {
  return "not found";
}

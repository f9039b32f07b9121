export default function ErrorPage({ error }) {
  return "error: " + error.message;
}

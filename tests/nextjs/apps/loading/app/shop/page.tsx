export default function Shop() {
  return <p>Everything we sell.</p>;
}

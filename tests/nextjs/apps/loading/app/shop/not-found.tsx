export default function ShopNotFound() {
  return <p>No such thing in the shop.</p>;
}

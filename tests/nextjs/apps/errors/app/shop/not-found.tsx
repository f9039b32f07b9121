export default function ShopNotFound() {
  return <p>No such item in the shop</p>;
}

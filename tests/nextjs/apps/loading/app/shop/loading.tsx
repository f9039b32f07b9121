export default function ShopLoading() {
  return <p>Loading the shop…</p>;
}

export default function ShopTemplate({ children }: { children: React.ReactNode }) {
  return <div className="shop-template">{children}</div>;
}

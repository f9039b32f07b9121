export default function ShopLayout({ children }: { children: React.ReactNode }) {
  return (
    <section>
      <h2>Shop</h2>
      {children}
    </section>
  );
}

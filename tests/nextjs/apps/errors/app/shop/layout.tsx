export default function ShopLayout({ children }: { children: React.ReactNode }) {
  return (
    <div>
      <p>Shop layout</p>
      {children}
    </div>
  );
}

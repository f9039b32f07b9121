export const metadata = { title: { default: "Loading", template: "%s | Loading" } };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/">Home</a> <a href="/slow">Slow</a> <a href="/shop/item">Item</a>
        </header>
        {children}
        <footer>Loading app</footer>
      </body>
    </html>
  );
}

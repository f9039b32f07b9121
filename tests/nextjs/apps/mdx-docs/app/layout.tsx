export const metadata = { title: { default: "Docs", template: "%s | Docs" } };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <nav>
          <a href="/">Home</a> <a href="/guide">Guide</a> <a href="/notes">Notes</a>
        </nav>
        {children}
      </body>
    </html>
  );
}

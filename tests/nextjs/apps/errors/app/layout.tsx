import { headers } from "next/headers";

export const metadata = { title: { default: "Errors", template: "%s | Errors" } };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // A root layout that fails is what global-error.tsx is for.
  if ((await headers()).get("x-break-layout")) throw new Error("the root layout broke");
  return (
    <html lang="en">
      <body>
        <header>Errors app</header>
        {children}
      </body>
    </html>
  );
}

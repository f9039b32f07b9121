import localFont from "next/font/local";

export const sans = localFont({
  src: [
    { path: "./fonts/OpenSans-Bold.woff2", weight: "700", style: "normal" },
    { path: "./fonts/OpenSans-Italic.woff2", weight: "400", style: "italic" },
  ],
  variable: "--font-sans",
  display: "swap",
});

"use client";
import { useEffect, useState } from "react";

type Theme = "light" | "dark";

// A client component in the server-rendered nav: the server writes the light theme's button;
// in the browser it picks up the theme saved last time and switches `<html data-theme>`.
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("light");
  useEffect(() => {
    const saved = localStorage.getItem("theme");
    if (saved === "dark" || saved === "light") setTheme(saved);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const next: Theme = theme === "light" ? "dark" : "light";
  return (
    <button
      type="button"
      className="theme-toggle"
      aria-label={`Switch to the ${next} theme`}
      onClick={() => {
        localStorage.setItem("theme", next);
        setTheme(next);
      }}
    >
      {theme === "light" ? "☾ Dark" : "☀ Light"}
    </button>
  );
}

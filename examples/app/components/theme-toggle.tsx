"use client";

import { useEffect, useState } from "react";

type Theme = "light" | "dark";

/** Where the reader's choice is kept between visits. */
const STORAGE_KEY = "theme";

/**
 * Light or dark: the choice is kept on `<html data-theme>` (which the stylesheet's `dark:`
 * variant keys on) and in localStorage. The server cannot know a reader's choice, so it
 * renders the light theme's button; once mounted, the stored choice is read and applied.
 */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("light");
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    if (localStorage.getItem(STORAGE_KEY) === "dark") setTheme("dark");
    setRestored(true);
  }, []);
  useEffect(() => {
    // Not before the stored choice is read: the first render's "light" would overwrite it.
    if (!restored) return;
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(STORAGE_KEY, theme);
  }, [theme, restored]);
  const dark = theme === "dark";
  return (
    <button
      type="button"
      className="cursor-pointer rounded-md border border-slate-300 px-2.5 py-1 text-sm text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
      aria-pressed={dark}
      title={dark ? "Switch to the light theme" : "Switch to the dark theme"}
      onClick={() => setTheme(dark ? "light" : "dark")}
    >
      {dark ? "☀ Light" : "☾ Dark"}
    </button>
  );
}

// Tailwind v4 through PostCSS, as Next's docs set it up; bext compiles the same stylesheet
// with its own compiler and ignores this file.
export default { plugins: { "@tailwindcss/postcss": {} } };

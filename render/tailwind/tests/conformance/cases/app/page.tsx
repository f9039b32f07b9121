export default function Page() {
  return (
    <main className="min-h-screen bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100 selection:bg-accent-600/20">
      <header className="sticky top-0 z-50 border-b border-zinc-200/80 bg-white/75 backdrop-blur dark:border-zinc-800 scrolled:shadow-sm">
        <nav className="mx-auto flex h-16 max-w-7xl items-center justify-between px-4 sm:px-6 lg:px-8">
          <a className="font-display text-xl font-semibold tracking-tight hover:opacity-80 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent-600" href="/">Acme</a>
          <ul className="hidden gap-x-8 text-sm/6 font-medium md:flex *:hover:text-accent-600">
            <li className="group relative"><span className="absolute inset-x-0 -bottom-px h-px bg-linear-to-r from-accent-600/0 via-accent-600/40 to-accent-600/0 opacity-0 transition group-hover:opacity-100" /></li>
          </ul>
          <button className="inline-flex items-center gap-2 rounded-full bg-accent-600 px-4 py-2 text-sm font-semibold text-white shadow-xs hover:bg-accent-600/90 active:translate-y-px disabled:pointer-events-none disabled:opacity-50 aria-[busy=true]:cursor-wait">Sign up</button>
        </nav>
      </header>
      <section className="relative isolate overflow-hidden px-6 pt-14 lg:px-8">
        <div className="mx-auto max-w-2xl py-32 sm:py-48 lg:py-56 text-center">
          <h1 className="text-5xl font-semibold tracking-tight text-balance sm:text-7xl">Ship faster</h1>
          <p className="mt-8 text-lg font-medium text-pretty text-zinc-500 sm:text-xl/8">Lorem ipsum.</p>
          <div className="mt-10 flex items-center justify-center gap-x-6">
            <input className="peer w-full rounded-md border-0 px-3.5 py-2 ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-accent-600 invalid:ring-red-500 sm:text-sm/6" />
            <p className="invisible mt-2 text-sm text-red-600 peer-invalid:visible peer-focus:peer-invalid:hidden" />
          </div>
        </div>
        <ul className="grid grid-cols-1 gap-6 sm:grid-cols-2 lg:grid-cols-3 [&>li]:rounded-2xl [&>li]:p-6">
          <li className="group-data-[state=open]:block data-[selected]:ring-2 has-[:checked]:bg-accent-50 in-data-open:underline group-aria-expanded:rotate-180 peer-data-active:font-bold max-lg:col-span-full" />
        </ul>
      </section>
    </main>
  );
}
